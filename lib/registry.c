/* SPDX-License-Identifier: MIT */
/* The benchmark registry: definitions added by BR_BENCHMARK()'s constructors,
 * expanded into one instance per parameter (group/function/param), and the
 * rule a name must follow. */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* A definition whose name breaks the rule runs as this stand-in: its name
 * is the refused one escaped (so it is safe in every report and unique),
 * and its setup fails with the reason, so the harness reports it as a
 * failed benchmark naming it while the program's other benchmarks run. */
struct standin {
	br_benchmark_t def;  /* first: setup finds the stand-in from st->inst->def */
	struct standin *next;
	char group[BR__PART_MAX], name[BR__PART_MAX];
	char why[BR__REASON_MAX];
};

static br_benchmark_t *head, **tail = &head;
static struct br__instance *instances;
static int ninstances = -1;
static struct standin *standins;

void br_benchmark_register(br_benchmark_t *bench)
{
	assert(bench && bench->group && bench->name && bench->fn);
	bench->next__ = NULL;
	*tail = bench;
	tail = &bench->next__;
	ninstances = -1;  /* expand again on next use */
}

/* One parameter axis of a definition: its BR_ARGS or BR_RANGE (one axis,
 * no name), or one of its BR_PARAMS. */
struct axis {
	const char *name;               /* NULL for BR_ARGS / BR_RANGE */
	const int64_t *list;
	size_t count;
	br_range_t range;
	const char *const *strings;
};

/* Whether def asks for a range (BR_RANGE), valid or not. */
static int has_range(const br_benchmark_t *def)
{
	return !def->arg_list && (def->range.lo || def->range.hi || def->range.mul);
}

/* Axis j of def (j < br__axes(def)). */
static struct axis axis_of(const br_benchmark_t *def, size_t j)
{
	if (def->params) {
		const br_param_t *p = &def->params[j];
		return (struct axis){p->name, p->values, p->count, p->range, p->strings};
	}
	return (struct axis){NULL, def->arg_list, def->arg_count, def->range, NULL};
}

size_t br__axes(const br_benchmark_t *def)
{
	if (def->params)
		return def->param_count;
	return def->arg_list || has_range(def) ? 1 : 0;
}

/* The values of axis a in order into out (room for all; NULL to count
 * them), and their count.  A string axis's values are its indices.  A
 * range follows Google Benchmark: lo, lo*mul, ... and hi itself when the
 * powers step over it, so both ends are always measured; it must be valid
 * (range_problem). */
static size_t axis_values(const struct axis *a, int64_t *out)
{
	size_t n = 0;

	if (a->list || a->strings) {
		for (size_t i = 0; i < a->count; i++, n++)
			if (out)
				out[n] = a->list ? a->list[i] : (int64_t)i;
		return n;
	}
	if (a->range.lo || a->range.hi || a->range.mul) {
		int64_t v = a->range.lo, last = v;
		for (;;) {
			if (out)
				out[n] = v;
			n++;
			last = v;
			if (v > a->range.hi / a->range.mul)
				break;
			v *= a->range.mul;
			if (v > a->range.hi)
				break;
		}
		if (last != a->range.hi) {
			if (out)
				out[n] = a->range.hi;
			n++;
		}
	}
	return n;
}

/* Instances a definition with valid parameters expands to: the product of
 * its axes' value counts (1 without parameters). */
static size_t params_of(const br_benchmark_t *def)
{
	size_t total = 1;

	for (size_t j = 0; j < br__axes(def); j++) {
		struct axis a = axis_of(def, j);
		total *= axis_values(&a, NULL);
	}
	return br__axes(def) ? total : 0;
}

int br__axis_value(const br_benchmark_t *def, size_t combo, size_t j, int64_t *value,
                   const char **text)
{
	size_t idx = 0, naxes = br__axes(def);
	struct axis a;
	int64_t *vals;

	if (j >= naxes)
		return -1;
	for (size_t k = naxes; k-- > j;) {
		struct axis ak = axis_of(def, k);
		size_t n = axis_values(&ak, NULL);
		idx = combo % n;
		combo /= n;
	}
	a = axis_of(def, j);
	if (a.list || a.strings) {
		*value = a.list ? a.list[idx] : (int64_t)idx;
		*text = a.strings ? a.strings[idx] : NULL;
		return 0;
	}
	if (!(vals = malloc(axis_values(&a, NULL) * sizeof *vals)))
		return -1;
	axis_values(&a, vals);
	*value = vals[idx];
	*text = NULL;
	free(vals);
	return 0;
}

size_t br__axis_find(const br_benchmark_t *def, const char *name)
{
	for (size_t j = 0; def->params && name && j < def->param_count; j++)
		if (def->params[j].name && !strcmp(def->params[j].name, name))
			return j;
	return SIZE_MAX;
}

static int part_problem(const char *part, size_t at, char *why, size_t n);

/* What is wrong with axis a of a definition (its label in `what`), written
 * to why; 0 when nothing is. */
static int axis_problem(const struct axis *a, const char *what, char *why, size_t n)
{
	const br_range_t *r = &a->range;
	char bad[BR__REASON_MAX / 2];

	if (!a->list && !a->strings) {
		if (r->mul < 2 || r->lo <= 0 || r->lo > r->hi) {
			snprintf(why, n, "%s%.40s%s%" PRId64 ", %" PRId64 ", %" PRId64 "): %s",
			         a->name ? "BR_PARAM_RANGE(\"" : "BR_RANGE(", a->name ? a->name : "",
			         a->name ? "\", " : "", r->lo, r->hi, r->mul,
			         r->mul < 2 ? "the multiplier must be 2 or more"
			         : r->lo <= 0 ? "the low end must be 1 or more (the range multiplies it)"
			                      : "the low end is above the high end");
			return -1;
		}
		return 0;
	}
	if (a->count == 0) {
		snprintf(why, n, "%s has no values", what);
		return -1;
	}
	for (size_t i = 0; i < a->count; i++) {
		if (a->strings && (!a->strings[i] || !*a->strings[i] || strchr(a->strings[i], '/') ||
		                   part_problem(a->strings[i], 0, bad, sizeof bad) != 0)) {
			snprintf(why, n, "%s: value %zu must be a non-empty string without '/', of "
			         "printable UTF-8", what, i + 1);
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (a->list && a->list[i] == a->list[j]) {
				snprintf(why, n, "parameter %" PRId64 " is listed twice in %s",
				         a->list[i], what);
				return -1;
			}
			if (a->strings && !strcmp(a->strings[i], a->strings[j])) {
				snprintf(why, n, "%s: value \"%.40s\" is listed twice", what,
				         a->strings[i]);
				return -1;
			}
		}
	}
	return 0;
}

/* What is wrong with def's parameters (an impossible range, a value given
 * twice, a bad or repeated parameter name, too many combinations), written
 * to why; 0 when nothing is. */
static int params_problem(const br_benchmark_t *def, char *why, size_t n)
{
	char what[96], bad[64];
	size_t total = 1;

	if (def->params && (def->arg_list || has_range(def))) {
		snprintf(why, n, "BR_PARAMS cannot be combined with BR_ARGS or BR_RANGE");
		return -1;
	}
	if (def->params && def->param_count == 0) {
		snprintf(why, n, "BR_PARAMS has no parameters");
		return -1;
	}
	if (def->threads && (def->batch_setup || def->manual_time)) {
		snprintf(why, n, "BR_THREADS cannot be combined with .batch_setup or .manual_time");
		return -1;
	}
	for (size_t i = 0; def->threads && i < def->thread_count; i++) {
		if (def->threads[i] < 1 || def->threads[i] > BR__MAX_THREADS) {
			snprintf(why, n, "BR_THREADS: %u threads (1 to %d)", def->threads[i],
			         BR__MAX_THREADS);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (def->threads[i] == def->threads[j]) {
				snprintf(why, n, "BR_THREADS: %u is listed twice", def->threads[i]);
				return -1;
			}
	}
	if (def->threads && def->thread_count == 0) {
		snprintf(why, n, "BR_THREADS has no thread counts");
		return -1;
	}
	for (size_t j = 0; j < br__axes(def); j++) {
		struct axis a = axis_of(def, j);
		if (!def->params) {
			snprintf(what, sizeof what, a.list ? "BR_ARGS" : "BR_RANGE");
		} else if (!a.name || !*a.name || strpbrk(a.name, "/:") ||
		           part_problem(a.name, 0, bad, sizeof bad) != 0) {
			snprintf(why, n, "parameter %zu: a name must be non-empty printable UTF-8 "
			         "without '/' or ':'", j + 1);
			return -1;
		} else {
			snprintf(what, sizeof what, "parameter \"%.40s\"", a.name);
			if (br__axis_find(def, a.name) != j) {
				snprintf(why, n, "%s is named twice in BR_PARAMS", what);
				return -1;
			}
		}
		if (axis_problem(&a, what, why, n) != 0)
			return -1;
		total *= axis_values(&a, NULL);
		/* Checked as it grows, so the product cannot overflow; each
		 * thread count is one more instance of every combination. */
		if (total * (def->threads ? def->thread_count : 1) > BR__MAX_COMBINATIONS) {
			snprintf(why, n, "more than %d combinations of parameters%s",
			         BR__MAX_COMBINATIONS, def->threads ? " and thread counts" : "");
			return -1;
		}
	}
	return 0;
}

/* The length of the UTF-8 character at s with its code point in *cp, or 0
 * when the bytes there are not UTF-8 (overlong, surrogate, past U+10FFFF,
 * truncated).  RFC 3629 section 3. */
static size_t utf8_char(const unsigned char *s, uint32_t *cp)
{
	uint32_t c, min;
	size_t len;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

/* Control characters (C0, DEL, C1) move a terminal's cursor or change its
 * state; noncharacters make an HTML report invalid. */
static int unsafe_char(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) ||
	       (cp & 0xfffe) == 0xfffe;
}

/* What is wrong with one part (group or function) of a name, written to
 * why; 0 when nothing is. */
static int part_problem(const char *part, size_t at, char *why, size_t n)
{
	const unsigned char *s = (const unsigned char *)part;
	uint32_t cp;

	if (!*s) {
		snprintf(why, n, "empty %s", at ? "function name" : "group");
		return -1;
	}
	for (size_t i = 0, len; s[i]; i += len) {
		if ((len = utf8_char(s + i, &cp)) == 0) {
			snprintf(why, n, "byte 0x%02x at byte %zu is not UTF-8", s[i], at + i + 1);
			return -1;
		}
		if (unsafe_char(cp)) {
			snprintf(why, n, "%s U+%04" PRIX32 " at byte %zu",
			         cp <= 0x9f ? "control character" : "noncharacter", cp, at + i + 1);
			return -1;
		}
	}
	return 0;
}

int br__name_check(const char *group, const char *name, const char *param,
                   char *why, size_t n)
{
	size_t len = strlen(group) + 1 + strlen(name) + (param ? 1 + strlen(param) : 0);

	if (part_problem(group, 0, why, n) != 0 ||
	    part_problem(name, strlen(group) + 1, why, n) != 0)
		return BR_EINVAL_ARG;
	if (len > BR__NAME_MAX - 1) {
		snprintf(why, n, "%zu bytes long", len);
		return BR_EINVAL_ARG;
	}
	return 0;
}

/* FNV-1a, 32 bits: tells cut stand-in names apart. */
static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* `part` escaped into out[BR__PART_MAX]: unsafe characters and backslashes
 * as \xHH and \\; when that is too long, cut at a character and ended by
 * "~" and a hash of the whole part, so distinct parts stay distinct. */
static void escape_part(char *out, const char *part)
{
	const unsigned char *s = (const unsigned char *)part;
	size_t o = 0, room = BR__PART_MAX - 10;  /* "~" + 8 hex digits + NUL */
	uint32_t cp;

	for (size_t i = 0, len; s[i]; i += len) {
		char piece[17];
		size_t plen = 0;
		len = utf8_char(s + i, &cp);
		if (s[i] == '\\') {
			memcpy(piece, "\\\\", plen = 2);
		} else if (len && !unsafe_char(cp)) {
			memcpy(piece, s + i, len);
			plen = len;
		} else {
			len = len ? len : 1;
			for (size_t k = 0; k < len; k++)
				plen += (size_t)sprintf(piece + plen, "\\x%02x", s[i + k]);
		}
		if (o + plen > room) {
			snprintf(out + o, BR__PART_MAX - o, "~%08" PRIx32, fnv1a(part));
			return;
		}
		memcpy(out + o, piece, plen);
		o += plen;
	}
	out[o] = '\0';
}

static int refuse_setup(br_state_t *st)
{
	br_state_fail(st, ((const struct standin *)st->inst->def)->why);
	return -1;
}

/* The stand-in for `def`, whose name breaks the rule for `why`; NULL when
 * out of memory. */
static const br_benchmark_t *standin_make(const br_benchmark_t *def, const char *why)
{
	struct standin *si = calloc(1, sizeof *si);

	if (!si)
		return NULL;
	escape_part(si->group, def->group);
	escape_part(si->name, def->name);
	snprintf(si->why, sizeof si->why, "%s", why);
	si->def = *def;
	si->def.group = si->group;
	si->def.name = si->name;
	si->def.setup = refuse_setup;
	si->def.teardown = NULL;
	si->next = standins;
	standins = si;
	return &si->def;
}

static void standins_free(void)
{
	while (standins) {
		struct standin *next = standins->next;
		free(standins);
		standins = next;
	}
}

static void instance_fill(struct br__instance *in, const br_benchmark_t *def, int plain,
                          size_t combo, unsigned nthreads);
static const struct br__instance *earlier_namesake(size_t k);

/* Definition d, whose names are taken, as one failing stand-in named
 * group/name~N (the first N from 2 that is free). */
static int add_duplicate(const br_benchmark_t *d, const char *why, size_t start)
{
	struct standin *si = (struct standin *)standin_make(d, why);
	char base[BR__PART_MAX - 16];
	size_t cut = sizeof base - 1;

	if (!si)
		return BR_ENOMEM_ALLOC;
	br__msg(BR_MSG_ERROR, "%s", why);
	/* Room for "~N", cut at a character boundary. */
	if (strlen(si->name) > cut)
		while (cut > 0 && ((unsigned char)si->name[cut] & 0xc0) == 0x80)
			cut--;
	snprintf(base, sizeof base, "%.*s", (int)cut, si->name);
	for (unsigned short n = 2;; n++) {
		snprintf(si->name, sizeof si->name, "%s~%hu", base, n);
		instance_fill(&instances[start], &si->def, 1, 0, 0);
		if (!earlier_namesake(start))
			break;
	}
	ninstances = (int)start + 1;
	return 0;
}

/* The parameter text of combination `combo` of def: "4096" for BR_ARGS or
 * BR_RANGE, "n:4096/dist:random" for BR_PARAMS, into out[n]. */
static void param_text(const br_benchmark_t *def, size_t combo, char *out, size_t n)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t j = 0; j < br__axes(def) && o < n; j++) {
		int64_t v = 0;
		const char *text = NULL;
		struct axis a = axis_of(def, j);
		if (br__axis_value(def, combo, j, &v, &text) != 0)
			break;
		if (text)
			o += (size_t)snprintf(out + o, n - o, "%s%s:%s", j ? "/" : "", a.name, text);
		else if (a.name)
			o += (size_t)snprintf(out + o, n - o, "%s%s:%" PRId64, j ? "/" : "", a.name, v);
		else
			o += (size_t)snprintf(out + o, n - o, "%" PRId64, v);
	}
}

/* The parameter text of an instance: its parameters' (param_text), then
 * "threads:N" when it runs on threads (nthreads > 0). */
static void instance_text(const br_benchmark_t *def, size_t combo, unsigned nthreads,
                          char *out, size_t n)
{
	size_t o;

	param_text(def, combo, out, n);
	o = strlen(out);
	if (nthreads && o < n)
		snprintf(out + o, n - o, "%sthreads:%u", o ? "/" : "", nthreads);
}

/* Instances definition def (its parameters valid) expands to. */
static size_t instances_of(const br_benchmark_t *def)
{
	size_t np = params_of(def), nt = def->threads ? def->thread_count : 0;

	return (np ? np : 1) * (nt ? nt : 1);
}

/* Instance `in` of def: combination `combo` of its parameters on
 * `nthreads` threads (0: not threaded), or neither when `plain` (no
 * parameters, or a stand-in). */
static void instance_fill(struct br__instance *in, const br_benchmark_t *def, int plain,
                          size_t combo, unsigned nthreads)
{
	const char *text;

	in->def = def;
	in->nthreads = plain ? 0 : nthreads;
	in->has_arg = !plain && (br__axes(def) > 0 || nthreads > 0);
	in->combo = combo;
	in->arg = 0;
	in->param[0] = '\0';
	if (in->has_arg) {
		if (br__axes(def) > 0)
			br__axis_value(def, combo, 0, &in->arg, &text);
		instance_text(def, combo, in->nthreads, in->param, sizeof in->param);
		/* def_problem refused a definition with names that do not fit */
		int len = snprintf(in->name, sizeof in->name, "%s/%s/%s", def->group, def->name,
		                   in->param);
		assert(len >= 0 && (size_t)len < sizeof in->name);
		(void)len;
	} else {
		snprintf(in->name, sizeof in->name, "%s/%s", def->group, def->name);
	}
}

/* Why definition d cannot run, written to why (the whole reason a
 * stand-in fails with); 0 when it can.  It has np instances (parameter
 * combinations times thread counts). */
static int def_problem(const br_benchmark_t *d, size_t np, char *why, size_t n)
{
	char what[BR__REASON_MAX / 2], param[BR__NAME_MAX + 1];
	int bad = 0;

	if (params_problem(d, what, sizeof what) != 0) {
		snprintf(why, n, "invalid parameters (%s:%d): %s", d->file ? d->file : "?", d->line,
		         what);
		return -1;
	}
	/* One parameter may make the name too long where another does not:
	 * a definition is refused (all its instances) on the first. */
	bad = np == 0 && br__name_check(d->group, d->name, NULL, what, sizeof what);
	for (size_t i = 0, nt = d->threads ? d->thread_count : 0; i < np && !bad; i++) {
		instance_text(d, i / (nt ? nt : 1), nt ? d->threads[i % nt] : 0, param,
		              sizeof param);
		bad = br__name_check(d->group, d->name, param, what, sizeof what);
	}
	if (bad)
		snprintf(why, n, "invalid benchmark name (%s): a name must be UTF-8 without control "
		         "characters or noncharacters, at most %d bytes", what, BR__NAME_MAX - 1);
	return bad ? -1 : 0;
}

/* Whether an instance before `k` has the name of instances[k]. */
static const struct br__instance *earlier_namesake(size_t k)
{
	for (size_t i = 0; i < k; i++)
		if (!strcmp(instances[i].name, instances[k].name))
			return &instances[i];
	return NULL;
}

/* The instances of definition d (a stand-in's: one, unparameterised). */
static int add_instances(const br_benchmark_t *d, size_t start)
{
	char why[BR__REASON_MAX];
	/* An impossible range has no parameters to list (0 times 2 is 0). */
	int valid = params_problem(d, why, sizeof why) == 0;
	size_t np = valid && (br__axes(d) || d->threads) ? instances_of(d) : 0;
	size_t nt = d->threads ? d->thread_count : 0;
	const br_benchmark_t *def = d;

	if (def_problem(d, np, why, sizeof why) != 0) {
		if (!(def = standin_make(d, why)))
			return BR_ENOMEM_ALLOC;
		br__msg(BR_MSG_ERROR, "benchmark %s/%s: %s", def->group, def->name, why);
		np = 0;
	}
	if (np == 0)
		instance_fill(&instances[ninstances++], def, 1, 0, 0);
	for (size_t i = 0; i < np; i++)
		instance_fill(&instances[ninstances++], def, 0, i / (nt ? nt : 1),
		              nt ? def->threads[i % nt] : 0);
	/* A definition whose instances take names already taken runs as a
	 * stand-in under its name with "~2" (or the first free number) added. */
	for (size_t k = start; k < (size_t)ninstances; k++) {
		const struct br__instance *first = earlier_namesake(k);
		if (!first)
			continue;
		snprintf(why, sizeof why, "duplicate benchmark name %.120s (%s:%d): first defined at "
		         "%s:%d", instances[k].name, d->file ? d->file : "?", d->line,
		         first->def->file ? first->def->file : "?", first->def->line);
		ninstances = (int)start;
		return add_duplicate(d, why, start);
	}
	return 0;
}

int br__registry_instances(const struct br__instance **out)
{
	size_t cap = 0;
	int rc;

	if (ninstances >= 0) {
		*out = instances;
		return ninstances;
	}
	for (br_benchmark_t *d = head; d; d = d->next__) {
		char why[BR__REASON_MAX];
		cap += params_problem(d, why, sizeof why) ? 1 : instances_of(d);
	}
	free(instances);
	standins_free();
	instances = calloc(cap ? cap : 1, sizeof *instances);
	if (!instances)
		return BR_ENOMEM_ALLOC;
	ninstances = 0;
	for (br_benchmark_t *d = head; d; d = d->next__)
		if ((rc = add_instances(d, (size_t)ninstances)) != 0) {
			ninstances = -1;
			return rc;
		}
	*out = instances;
	return ninstances;
}
