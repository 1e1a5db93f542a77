/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The worker protocol reader.  Every line must be one JSON object with a
 * "type"; the first must be a header of a protocol version we read.  Errors
 * name the line and what was wrong with it, so a garbage-writing worker is
 * reported precisely instead of crashing the harness. */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brproto.h"
#include "counters.h"
#include "protocol.h"
#include "usercounters.h"

/* Versions (brproto.h): version 2 added the worker option --plan; its
 * records are those of version 1, so every one from 1 on is read. */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int fail(char *err, size_t errlen, size_t line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "line %zu: ", line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_header(json_t *o, struct protocol_doc *doc, json_error_t *je)
{
	struct protocol_header *h = &doc->hdr;
	const char *lib, *prog, *cc, *fl, *bid, *clock;
	double rd = 0, res = 0;

	if (json_unpack_ex(o, je, 0, "{s:i, s:s, s:s, s:s, s:s, s:s, s:{s:s, s?F, s?F}}",
	                   "protocol", &h->protocol, "library", &lib, "program", &prog,
	                   "compiler", &cc, "cflags", &fl, "build_id", &bid, "timer",
	                   "clock", &clock, "read_ns", &rd, "resolution_ns", &res) != 0)
		return -1;
	h->library = strdup(lib);
	h->program = strdup(prog);
	h->compiler = strdup(cc);
	h->cflags = strdup(fl);
	h->build_id = strdup(bid);
	h->clock = strdup(clock);
	h->timer_read_ns = rd;
	h->timer_resolution_ns = res;
	return 0;
}

static struct protocol_bench *new_bench(struct protocol_doc *doc, json_t *o,
                                        json_error_t *je)
{
	const char *name, *group, *function, *label = NULL, *skip = NULL, *cname = NULL;
	json_t *param = json_object_get(o, "param");
	double cg = NAN;
	struct protocol_bench *b, *nb;
	struct bench_settings set = {0};
	json_int_t iters = 0, procs = 0;

	if (json_unpack_ex(o, je, 0, "{s:s, s:s, s:s, s?s, s?s, s?{s?F, s?I, s?I, s?F},"
	                   " s?{s:s, s:F}}",
	                   "name", &name, "group", &group, "function", &function, "label",
	                   &label, "skip", &skip, "settings", "measure_time",
	                   &set.measure_time, "iterations", &iters, "processes", &procs,
	                   "timeout", &set.timeout_s, "complexity", "name", &cname, "g", &cg) != 0)
		return NULL;
	if (iters < 0 || procs < 0 || procs > 100000 || !(set.measure_time >= 0) ||
	    !(set.timeout_s >= 0)) {
		snprintf(je->text, sizeof je->text, "a negative or impossible setting");
		return NULL;
	}
	set.iterations = (uint64_t)iters;
	set.processes = (unsigned)procs;
	nb = realloc(doc->benches, (doc->nbenches + 1) * sizeof *nb);
	if (!nb)
		return NULL;
	doc->benches = nb;
	b = &nb[doc->nbenches++];
	memset(b, 0, sizeof *b);
	b->name = strdup(name);
	b->group = strdup(group);
	b->function = strdup(function);
	b->param = dup_or_null(json_string_value(param));
	b->label = dup_or_null(label && *label ? label : NULL);
	b->complexity_name = dup_or_null(cname && *cname ? cname : NULL);
	b->complexity_g = cg;
	b->set = set;
	if (skip) {
		b->failed = b->skipped = 1;
		b->reason = strdup(skip);
	}
	return b;
}

static int parse_benchmark(json_t *o, struct protocol_doc *doc, json_error_t *je)
{
	json_int_t bytes = 0, items = 0, wi = 0, wns = 0, pauses = 0, pns = 0, threads = 0;
	struct protocol_bench *b;

	if (json_unpack_ex(o, je, 0, "{s?I, s?I, s?I, s?I, s?I, s?I, s?I}", "bytes_per_iter",
	                   &bytes, "items_per_iter", &items, "warmup_iters", &wi, "warmup_ns",
	                   &wns, "pauses", &pauses, "paused_ns", &pns, "threads", &threads) != 0 ||
	    !(b = new_bench(doc, o, je)))
		return -1;
	b->threads = threads > 0 && threads <= 1024 ? (unsigned)threads : 0;
	b->run.pauses = pauses > 0 ? (uint64_t)pauses : 0;
	b->run.paused_ns = pns > 0 ? (double)pns : 0;
	b->measured = 1;
	b->bytes_per_iter = (double)bytes;
	b->items_per_iter = (double)items;
	b->run.warmup_iters = (uint64_t)wi;
	b->run.warmup_ns = (double)wns;
	return 0;
}

/* Grow the counter columns of run to `cap` rows of nctr. */
static int grow_counters(struct proc_run *run, size_t cap, size_t nctr)
{
	double *d, *r;

	if (nctr == 0)
		return 0;
	if (!(d = realloc(run->ctr_delta, cap * nctr * sizeof *d)))
		return -1;
	run->ctr_delta = d;
	if (!(r = realloc(run->ctr_running, cap * nctr * sizeof *r)))
		return -1;
	run->ctr_running = r;
	run->nctr = nctr;
	return 0;
}

/* Append a sample; `delta` and `running` hold nctr counter values. */
static int add_sample(struct proc_run *run, uint64_t iters, double ns, size_t nctr,
                      const double *delta, const double *running)
{
	if (run->nsamples == run->cap) {
		size_t cap = run->cap ? run->cap * 2 : 32;
		struct sample *s = realloc(run->samples, cap * sizeof *s);
		if (!s)
			return -1;
		run->samples = s;
		if (grow_counters(run, cap, nctr) != 0)
			return -1;
		run->cap = cap;
	}
	if (nctr) {
		memcpy(run->ctr_delta + run->nsamples * nctr, delta, nctr * sizeof *delta);
		memcpy(run->ctr_running + run->nsamples * nctr, running, nctr * sizeof *running);
	}
	run->samples[run->nsamples++] = (struct sample){iters, ns};
	return 0;
}

/* The counter values of one sample, in the document's counter order:
 * {"NAME":{"delta":D,"running":F}, ...}; a counter the sample does not
 * name, or with a null delta, is NAN (not counted then), never zero. */
static int sample_counters(json_t *obj, const struct protocol_doc *doc, double *delta,
                           double *running, const char **why)
{
	for (size_t c = 0; c < doc->ncounters; c++) {
		json_t *v = obj ? json_object_get(obj, doc->counters[c].name) : NULL;
		json_t *d = json_object_get(v, "delta"), *r = json_object_get(v, "running");
		delta[c] = NAN;
		running[c] = 0;
		if (!v)
			continue;
		if (!json_is_object(v) || !(json_is_number(d) || json_is_null(d)) ||
		    !json_is_number(r))
			return *why = "sample counter without a numeric delta and running", -1;
		if (json_is_number(d)) {
			delta[c] = json_number_value(d);
			running[c] = json_number_value(r);
			if (!(delta[c] >= 0) || !(running[c] >= 0 && running[c] <= 1))
				return *why = "sample counter with a negative delta or a running "
				              "fraction outside [0, 1]", -1;
		}
	}
	return 0;
}

static int parse_sample(json_t *o, struct protocol_doc *doc, json_error_t *je,
                        const char **why)
{
	json_int_t iters;
	double ns, delta[2 * BR__PROTO_COUNTERS_MAX], running[2 * BR__PROTO_COUNTERS_MAX];
	json_t *counters = NULL;
	struct protocol_bench *b = doc->nbenches ? &doc->benches[doc->nbenches - 1] : NULL;

	if (json_unpack_ex(o, je, 0, "{s:I, s:F, s?o}", "iters", &iters, "ns", &ns,
	                   "counters", &counters) != 0)
		return -1;
	if (!b || !b->measured || b->ended)
		return *why = "sample outside a benchmark", -1;
	if (iters <= 0 || !(ns >= 0))
		return *why = "sample with no iterations or negative time", -1;
	if (counters && !json_is_object(counters))
		return *why = "sample counters that are not an object", -1;
	if (sample_counters(counters, doc, delta, running, why) != 0)
		return -1;
	return add_sample(&b->run, (uint64_t)iters, ns, doc->ncounters, delta, running);
}

/* ---- Profile runs (worker --profile) ---- */

struct protocol_profile *protocol_profile_find(const struct protocol_doc *doc,
                                               const char *name)
{
	for (size_t i = 0; i < doc->nprofiles; i++)
		if (!strcmp(doc->profiles[i].name, name))
			return &doc->profiles[i];
	return NULL;
}

/* A new profile of `name` in doc, or NULL when out of memory. */
static struct protocol_profile *profile_new(struct protocol_doc *doc, const char *name)
{
	struct protocol_profile *p = realloc(doc->profiles, (doc->nprofiles + 1) * sizeof *p);

	if (!p)
		return NULL;
	doc->profiles = p;
	p = &p[doc->nprofiles];
	memset(p, 0, sizeof *p);
	if (!(p->name = strdup(name)))
		return NULL;
	doc->nprofiles++;
	return p;
}

/* The "end" of a profile run whose benchmark failed (or was skipped). */
static int profile_failed(struct protocol_doc *doc, const char *name, const char *reason,
                          const char **why)
{
	struct protocol_profile *p = protocol_profile_find(doc, name);

	if (p && (p->ended || p->error || p->failed))
		return *why = "end of a benchmark that did not start", -1;
	if ((!p && !(p = profile_new(doc, name))) || !(p->failed = strdup(reason)))
		return *why = "out of memory", -1;
	return 0;
}

/* A non-negative integer member `key` of o into *v; -1 otherwise. */
static int get_count(json_t *o, const char *key, uint64_t *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return -1;
	*v = (uint64_t)json_integer_value(j);
	return 0;
}

static int take_chain(struct protocol_profile *p, json_t *o, const char **why)
{
	json_t *ips = json_object_get(o, "ips"), *ip;
	struct profile_chain c = {0}, *nc;
	size_t k;

	if (get_count(o, "count", &c.count) != 0)
		return *why = "\"count\" must be a non-negative integer", -1;
	if (json_object_get(o, "bytes") && get_count(o, "bytes", &c.bytes) != 0)
		return *why = "\"bytes\" must be a non-negative integer", -1;
	if (!json_is_array(ips) || json_array_size(ips) == 0)
		return *why = "\"ips\" must be a non-empty array", -1;
	json_array_foreach(ips, k, ip)
		if (!json_is_integer(ip))
			return *why = "\"ips\" must hold integers (addresses)", -1;
	if (!(c.ips = calloc(json_array_size(ips), sizeof *c.ips)) ||
	    !(nc = realloc(p->chains, (p->nchains + 1) * sizeof *nc))) {
		free(c.ips);
		return *why = "out of memory", -1;
	}
	p->chains = nc;
	json_array_foreach(ips, k, ip)
		c.ips[c.n++] = (uint64_t)json_integer_value(ip);
	p->chains[p->nchains++] = c;
	return 0;
}

/* The value of a base64 digit (RFC 4648), or -1. */
static int base64_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode padded base64 text of `len` characters into out (room for
 * len / 4 * 3 bytes); the bytes, or -1 when it is not base64. */
static long base64_decode(const char *text, size_t len, unsigned char *out)
{
	size_t n = 0;

	if (len % 4)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int d[4], pad = 0;
		for (int k = 0; k < 4; k++) {
			unsigned char ch = (unsigned char)text[i + k];
			d[k] = ch == '=' && k >= 2 && i + 4 == len ? (pad++, 0) : base64_digit(ch);
			if (d[k] < 0 || (pad && ch != '='))
				return -1;
		}
		out[n++] = (unsigned char)(d[0] << 2 | d[1] >> 4);
		if (pad < 2)
			out[n++] = (unsigned char)((d[1] & 15) << 4 | d[2] >> 2);
		if (pad < 1)
			out[n++] = (unsigned char)((d[2] & 3) << 6 | d[3]);
	}
	return (long)n;
}

static int take_ustack(struct protocol_profile *p, json_t *o, const char **why)
{
	json_t *regs = json_object_get(o, "regs"), *r;
	const char *text = json_string_value(json_object_get(o, "stack"));
	size_t len = text ? strlen(text) : 0, k;
	struct protocol_ustack u = {{0}, NULL, 0};
	long n;

	if (!json_is_array(regs) || json_array_size(regs) != BR__PROTO_UREGS)
		return *why = "\"regs\" must be an array of " BR__PROTO_STR(BR__PROTO_UREGS)
		              " integers", -1;
	json_array_foreach(regs, k, r) {
		if (!json_is_integer(r))
			return *why = "\"regs\" must hold integers", -1;
		u.regs[k] = (uint64_t)json_integer_value(r);
	}
	if (!text || len == 0 || len > 4 * BR__PROTO_USTACK_BYTES / 3 + 4)
		return *why = "\"stack\" must be base64 of 1 to " BR__PROTO_STR(BR__PROTO_USTACK_BYTES)
		              " bytes", -1;
	if (p->nustacks == p->capustacks) {
		size_t cap = p->capustacks ? 2 * p->capustacks : 256;
		struct protocol_ustack *t = realloc(p->ustacks, cap * sizeof *t);
		if (!t)
			return *why = "out of memory", -1;
		p->ustacks = t;
		p->capustacks = cap;
	}
	if (!(u.stack = malloc(len / 4 * 3)))
		return *why = "out of memory", -1;
	if ((n = base64_decode(text, len, u.stack)) <= 0) {
		free(u.stack);
		return *why = "\"stack\" is not base64", -1;
	}
	u.len = (size_t)n;
	p->ustacks[p->nustacks++] = u;
	return 0;
}

static int take_map(struct protocol_profile *p, json_t *o, const char **why)
{
	struct symbols_map m = {0}, *nm;
	const char *path = json_string_value(json_object_get(o, "path"));

	if (get_count(o, "start", &m.start) != 0 || get_count(o, "end", &m.end) != 0 ||
	    get_count(o, "offset", &m.offset) != 0)
		return *why = "a map's \"start\", \"end\" and \"offset\" must be non-negative "
		              "integers", -1;
	if (!path || m.end <= m.start)
		return *why = "a map needs a \"path\" and end > start", -1;
	if (!(nm = realloc(p->maps, (p->nmaps + 1) * sizeof *nm)))
		return *why = "out of memory", -1;
	p->maps = nm;
	if (!(m.path = strdup(path)))
		return *why = "out of memory", -1;
	p->maps[p->nmaps++] = m;
	return 0;
}

static int take_end(struct protocol_profile *p, json_t *o, const char **why)
{
	json_t *ns = json_object_get(o, "loop_ns");

	if (get_count(o, "samples", &p->samples) != 0 || get_count(o, "lost", &p->lost) != 0 ||
	    get_count(o, "iters", &p->iters) != 0)
		return *why = "\"samples\", \"lost\" and \"iters\" must be non-negative "
		              "integers", -1;
	if (!json_is_number(ns) || json_number_value(ns) < 0)
		return *why = "\"loop_ns\" must be a non-negative number", -1;
	p->loop_ns = json_number_value(ns);
	p->ended = 1;
	return 0;
}

/* A "profile" or "profile_error" record opens a benchmark's profile; its
 * "stack", "map" and "profile_end" records follow. */
static int parse_profile(json_t *o, struct protocol_doc *doc, const char *type,
                         json_error_t *je, const char **why)
{
	const char *name, *text = NULL;
	json_int_t freq = 0;
	struct protocol_profile *p;

	if (json_unpack_ex(o, je, 0, "{s:s}", "name", &name) != 0)
		return -1;
	p = protocol_profile_find(doc, name);
	if (!strcmp(type, BR__REC_PROFILE) || !strcmp(type, BR__REC_PROFILE_ERROR)) {
		int error = !strcmp(type, BR__REC_PROFILE_ERROR);
		if (p)
			return *why = "a second profile of one benchmark", -1;
		if (json_unpack_ex(o, je, 0, error ? "{s?s}" : "{s?s, s?I}", error ? "error" : "event",
		                   &text, "freq", &freq) != 0)
			return -1;
		if (!(p = profile_new(doc, name)))
			return *why = "out of memory", -1;
		if (error)
			p->error = strdup(text ? text : "profiling failed");
		else
			p->event = strdup(text ? text : "?");
		p->freq_hz = freq > 0 && freq <= 1000000 ? (unsigned)freq : 0;
		return (error ? p->error : p->event) ? 0 : (*why = "out of memory", -1);
	}
	if (!p || p->ended || p->error || p->failed)
		return *why = "a profile record outside its profile", -1;
	if (!strcmp(type, BR__REC_STACK))
		return take_chain(p, o, why);
	if (!strcmp(type, BR__REC_MAP))
		return take_map(p, o, why);
	if (!strcmp(type, BR__REC_USTACK))
		return take_ustack(p, o, why);
	return take_end(p, o, why);
}

static int parse_end(json_t *o, struct protocol_doc *doc, json_error_t *je,
                     const char **why)
{
	const char *name, *status, *reason = NULL;
	struct protocol_bench *b = doc->nbenches ? &doc->benches[doc->nbenches - 1] : NULL;

	if (json_unpack_ex(o, je, 0, "{s:s, s:s, s?s}", "name", &name, "status", &status,
	                   "reason", &reason) != 0)
		return -1;
	if (!doc->nbenches)  /* a profile run: the benchmark failed instead */
		return profile_failed(doc, name, reason ? reason : status, why);
	if (!b || !b->measured || b->ended || strcmp(b->name, name) != 0)
		return *why = "end of a benchmark that did not start", -1;
	b->ended = 1;
	b->failed = strcmp(status, "ok") != 0;
	b->skipped = !strcmp(status, "skipped");
	if (b->failed)
		b->reason = strdup(reason ? reason : status);
	return 0;
}

/* Append counter `name` of `kind` with one figure to b; -1 when out of
 * memory. */
static int add_counter(struct protocol_bench *b, const char *name, int kind, double value)
{
	struct user_counter *u = realloc(b->user, (b->nuser + 1) * sizeof *u);

	if (!u)
		return -1;
	b->user = u;
	u = &u[b->nuser];
	memset(u, 0, sizeof *u);
	if (!(u->name = strdup(name)) || !(u->vals = malloc(sizeof *u->vals))) {
		free(u->name);
		return -1;
	}
	u->kind = kind;
	u->vals[0] = value;
	u->n = 1;
	b->nuser++;
	return 0;
}

/* A "user_counter" record: one user counter's figure for the benchmark
 * that is open (protocol 4). */
static int parse_user_counter(json_t *o, struct protocol_doc *doc, json_error_t *je,
                              const char **why)
{
	static const char *const kinds[] = {"value", "per_iter", "rate"};
	struct protocol_bench *b = doc->nbenches ? &doc->benches[doc->nbenches - 1] : NULL;
	const char *name, *counter, *kind;
	json_t *value;
	int k = 0;

	if (json_unpack_ex(o, je, 0, "{s:s, s:s, s:s, s:o}", "name", &name, "counter", &counter,
	                   "kind", &kind, "value", &value) != 0)
		return -1;
	if (!b || !b->measured || b->ended || strcmp(b->name, name) != 0)
		return *why = "user counter outside its benchmark", -1;
	while (k < 3 && strcmp(kinds[k], kind) != 0)
		k++;
	if (k == 3 || !json_is_number(value))
		return *why = "user counter without a known kind and a number", -1;
	if (!user_counter_name_ok(counter))
		return *why = "user counter name empty, over 63 bytes, or holding ':' or a "
		              "control character", -1;
	for (size_t i = 0; i < b->nuser; i++)
		if (!strcmp(b->user[i].name, counter))
			return *why = "a user counter given twice", -1;
	if (b->nuser >= BR__PROTO_USER_COUNTERS_MAX)
		return *why = "too many user counters", -1;
	if (add_counter(b, counter, k, json_number_value(value)) != 0)
		return *why = "out of memory", -1;
	return 0;
}

/* A "memory" record (protocol 5): --memory's figures for the benchmark
 * that is open, kept as its memory counters (usercounters.h). */
static int parse_memory(json_t *o, struct protocol_doc *doc, json_error_t *je,
                        const char **why)
{
	static const char *const keys[] = {"allocs", "bytes", "frees", "reallocs", "leaked",
	                                   "peak", "max_rss"};
	struct protocol_bench *b = doc->nbenches ? &doc->benches[doc->nbenches - 1] : NULL;
	const char *name;

	if (json_unpack_ex(o, je, 0, "{s:s}", "name", &name) != 0)
		return -1;
	if (!b || !b->measured || b->ended || strcmp(b->name, name) != 0)
		return *why = "memory record outside its benchmark", -1;
	for (size_t i = 0; i < b->nuser; i++)
		if (user_counter_is_memory(b->user[i].name))
			return *why = "a second memory record", -1;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_t *v = json_object_get(o, keys[i]);
		int kind;
		const char *figure = user_counter_memory_name(keys[i], &kind);
		if (json_is_null(v) || !v)
			continue;
		if (!json_is_number(v) || !(json_number_value(v) >= 0 || !strcmp(keys[i], "leaked")))
			return *why = "a memory figure that is not a number (or a negative count)", -1;
		if (add_counter(b, figure, kind, json_number_value(v)) != 0)
			return *why = "out of memory", -1;
	}
	return 0;
}

/* A "counter" record: what the worker made of one requested event.  They
 * come before the first benchmark, since they name the columns of every
 * sample's counters. */
static int parse_counter(json_t *o, struct protocol_doc *doc, json_error_t *je,
                         const char **why)
{
	const char *name, *status, *kind = NULL, *role = NULL, *enc = NULL, *reason = NULL;
	int requested = 0, kernel = 0;
	double loop = NAN;
	struct counter_result *c;

	if (json_unpack_ex(o, je, 0, "{s:s, s:s, s?b, s?s, s?s, s?s, s?s, s?b, s?F}",
	                   "name", &name, "status", &status, "requested", &requested,
	                   "kind", &kind, "role", &role, "encoding", &enc, "reason", &reason,
	                   "kernel", &kernel, "loop_per_iter", &loop) != 0)
		return -1;
	if (doc->nbenches)
		return *why = "a counter record after a benchmark", -1;
	if (doc->ncounters == 2 * BR__PROTO_COUNTERS_MAX)
		return *why = "too many counter records", -1;
	for (size_t i = 0; i < doc->ncounters; i++)
		if (!strcmp(doc->counters[i].name, name))
			return *why = "a counter listed twice", -1;
	if (strcmp(status, "counted") && strcmp(status, "unavailable") && strcmp(status, "unknown"))
		return *why = "a counter with an unknown status", -1;
	c = realloc(doc->counters, (doc->ncounters + 1) * sizeof *c);
	if (!c)
		return -1;
	doc->counters = c;
	c = &c[doc->ncounters++];
	memset(c, 0, sizeof *c);
	c->name = strdup(name);
	c->kind = dup_or_null(kind);
	c->role = dup_or_null(role);
	c->encoding = dup_or_null(enc);
	c->counted = !strcmp(status, "counted");
	c->reason = c->counted ? NULL : strdup(reason ? reason : status);
	c->requested = requested;
	c->kernel = kernel;
	c->loop_per_iter = loop;
	c->raw_per_iter = c->per_iter = NAN;
	if (!strcmp(status, "unknown") && !doc->counter_unknown)
		doc->counter_unknown = (int)doc->ncounters;
	return 0;
}

/* One parsed line; on error `why` or `je` says what was wrong. */
static int parse_record(json_t *o, size_t line, struct protocol_doc *doc,
                        json_error_t *je, const char **why)
{
	const char *type;

	if (!json_is_object(o) || json_unpack_ex(o, je, 0, "{s:s}", "type", &type) != 0)
		return *why = "not a protocol record (an object with a \"type\")", -1;
	if (line == 1 && strcmp(type, BR__REC_HEADER) != 0)
		return *why = "no protocol header: not a benchrun worker", -1;
	if (!strcmp(type, BR__REC_HEADER)) {
		if (line != 1)
			return *why = "a second header", -1;
		if (parse_header(o, doc, je) != 0)
			return -1;
		if (doc->hdr.protocol > BR__PROTO_VERSION)
			return *why = "written by a newer libbenchrun than this benchrun reads "
			              "(protocol " BR__PROTO_VERSIONS_TEXT "): update benchrun", -1;
		if (doc->hdr.protocol < BR__PROTO_VERSION_MIN)
			return *why = "unsupported protocol version", -1;
		return 0;
	}
	if (doc->have_footer)
		return *why = "a record after the footer", -1;
	if (!strcmp(type, BR__REC_LISTED))
		return new_bench(doc, o, je) ? 0 : -1;
	if (!strcmp(type, BR__REC_BENCHMARK))
		return parse_benchmark(o, doc, je);
	if (!strcmp(type, BR__REC_SAMPLE))
		return parse_sample(o, doc, je, why);
	if (!strcmp(type, BR__REC_COUNTER))
		return parse_counter(o, doc, je, why);
	if (!strcmp(type, BR__REC_END))
		return parse_end(o, doc, je, why);
	if (!strcmp(type, BR__REC_USER_COUNTER))
		return parse_user_counter(o, doc, je, why);
	if (!strcmp(type, BR__REC_MEMORY))
		return parse_memory(o, doc, je, why);
	if (!strcmp(type, BR__REC_PROFILE) || !strcmp(type, BR__REC_PROFILE_ERROR) ||
	    !strcmp(type, BR__REC_STACK) || !strcmp(type, BR__REC_MAP) ||
	    !strcmp(type, BR__REC_USTACK) ||
	    !strcmp(type, BR__REC_PROFILE_END))
		return parse_profile(o, doc, type, je, why);
	if (!strcmp(type, BR__REC_FOOTER))
		return doc->have_footer = 1, 0;
	return 0;  /* unknown record types are for newer readers: skip them */
}

int protocol_parse(const char *buf, size_t len, struct protocol_doc *doc,
                   char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len;
	size_t line = 0;

	memset(doc, 0, sizeof *doc);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *why = NULL;
		json_error_t je;
		json_t *o;
		int rc;

		line++;
		o = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
		if (!o)
			return fail(err, errlen, line, "not JSON: %s (column %d)", je.text, je.column);
		je.text[0] = '\0';
		rc = parse_record(o, line, doc, &je, &why);
		json_decref(o);
		if (rc != 0)
			return fail(err, errlen, line, "%s", why ? why : je.text[0] ? je.text : "out of memory");
		p += n + (nl != NULL);
	}
	if (line == 0)
		return fail(err, errlen, 1, "no output: not a benchrun worker");
	return 0;
}

static void bench_free(struct protocol_bench *b)
{
	free(b->name);
	free(b->group);
	free(b->function);
	free(b->param);
	free(b->reason);
	free(b->label);
	free(b->complexity_name);
	user_counters_free(b->user, b->nuser);
	free(b->run.samples);
	free(b->run.ctr_delta);
	free(b->run.ctr_running);
}

void protocol_doc_free(struct protocol_doc *doc)
{
	struct protocol_header *h = &doc->hdr;

	free(h->library);
	free(h->program);
	free(h->compiler);
	free(h->cflags);
	free(h->build_id);
	free(h->clock);
	for (size_t i = 0; i < doc->nbenches; i++)
		bench_free(&doc->benches[i]);
	free(doc->benches);
	counters_free(doc->counters, doc->ncounters);
	for (size_t i = 0; i < doc->nprofiles; i++)
		protocol_profile_free(&doc->profiles[i]);
	free(doc->profiles);
	memset(doc, 0, sizeof *doc);
}

void protocol_profile_free(struct protocol_profile *p)
{
	for (size_t i = 0; i < p->nchains; i++)
		free(p->chains[i].ips);
	for (size_t i = 0; i < p->nmaps; i++)
		free((char *)p->maps[i].path);
	for (size_t i = 0; i < p->nustacks; i++)
		free(p->ustacks[i].stack);
	free(p->chains);
	free(p->maps);
	free(p->ustacks);
	free(p->name);
	free(p->event);
	free(p->error);
	free(p->failed);
	memset(p, 0, sizeof *p);
}

void protocol_bench_take_identity(struct protocol_bench *src, struct bench_result *dst)
{
	dst->name = src->name;
	dst->group = src->group;
	dst->function = src->function;
	dst->param = src->param;
	dst->label = src->label;
	dst->complexity_name = src->complexity_name;
	dst->complexity_g = src->complexity_g;
	src->complexity_name = NULL;
	dst->set = src->set;
	if (src->skipped && !dst->failed) {
		dst->failed = dst->skipped = 1;
		dst->reason = src->reason;
		src->reason = NULL;
	}
	src->name = src->group = src->function = src->param = src->label = NULL;
}
