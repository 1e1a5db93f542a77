/* SPDX-License-Identifier: MIT */
/* The worker's output: the versioned JSON-lines protocol read by `benchrun`
 * (docs/worker-protocol.md), measurements and profiles, and a one-line human
 * summary per benchmark for programs run by hand.  Writing JSON is simple enough not to need a
 * library; reading it (in the harness) uses jansson. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "pairslope.h"

void br__write_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* Strict JSON has no NaN or infinity: those are written as null. */
static void write_number(FILE *out, double v)
{
	if (isfinite(v))
		fprintf(out, "%.17g", v);
	else
		fputs("null", out);
}

static void write_key(FILE *out, const char *key)
{
	fprintf(out, ",\"%s\":", key);
}

void br__write_header(FILE *out, const struct br__build *build,
                      const struct br__timer_facts *facts)
{
	fprintf(out, "{\"type\":\"" BR__REC_HEADER "\",\"protocol\":%d", BR__PROTO_VERSION);
	write_key(out, "library");
	br__write_json_string(out, BR_VERSION_STRING);
	write_key(out, "program");
	br__write_json_string(out, build->program);
	write_key(out, "compiler");
	br__write_json_string(out, build->compiler);
	write_key(out, "cflags");
	br__write_json_string(out, build->cflags);
	write_key(out, "build_id");
	br__write_json_string(out, build->build_id);
	fprintf(out, ",\"pid\":%ld,\"timer\":{\"clock\":", (long)getpid());
	br__write_json_string(out, facts->clock);
	write_key(out, "read_ns");
	write_number(out, facts->read_ns);
	write_key(out, "resolution_ns");
	write_number(out, facts->resolution_ns);
	write_key(out, "getres_ns");
	write_number(out, facts->getres_ns);
	fputs("}}\n", out);
}

static void write_identity(FILE *out, const struct br__instance *inst)
{
	fputs(",\"name\":", out);
	br__write_json_string(out, inst->name);
	write_key(out, "group");
	br__write_json_string(out, inst->def->group);
	write_key(out, "function");
	br__write_json_string(out, inst->def->name);
	write_key(out, "param");
	if (inst->has_arg)
		br__write_json_string(out, inst->param);
	else
		fputs("null", out);
}

/* A definition's own settings, those it sets: "settings":{...} (protocol
 * 4), and its label and skip reason. */
static void write_settings(FILE *out, const br_benchmark_t *d)
{
	const char *sep = "";

	if (d->measure_time > 0 || d->iterations || d->processes || d->timeout > 0) {
		fputs(",\"settings\":{", out);
		if (d->measure_time > 0) {
			fputs("\"measure_time\":", out);
			write_number(out, d->measure_time);
			sep = ",";
		}
		if (d->iterations)
			fprintf(out, "%s\"iterations\":%" PRIu64, sep, d->iterations), sep = ",";
		if (d->processes)
			fprintf(out, "%s\"processes\":%u", sep, d->processes), sep = ",";
		if (d->timeout > 0) {
			fprintf(out, "%s\"timeout\":", sep);
			write_number(out, d->timeout);
		}
		fputc('}', out);
	}
	if (d->label) {
		write_key(out, "label");
		br__write_json_string(out, d->label);
	}
	if (d->skip) {
		write_key(out, "skip");
		br__write_json_string(out, d->skip);
	}
}

/* The definition's complexity function at the instance's first
 * parameter: "complexity":{"name":N,"g":G} (protocol 4). */
static void write_complexity(FILE *out, const struct br__instance *inst)
{
	const br_benchmark_t *d = inst->def;
	double g;

	if (!d->complexity || !inst->has_arg || br__axes(d) == 0)
		return;
	g = d->complexity((double)inst->arg);
	if (!isfinite(g))
		return;
	fputs(",\"complexity\":{\"name\":", out);
	br__write_json_string(out, d->complexity_name ? d->complexity_name : "f(n)");
	fputs(",\"g\":", out);
	write_number(out, g);
	fputc('}', out);
}

void br__write_listed(FILE *out, const struct br__instance *inst)
{
	fputs("{\"type\":\"" BR__REC_LISTED "\"", out);
	write_identity(out, inst);
	write_settings(out, inst->def);
	write_complexity(out, inst);
	fputs("}\n", out);
}

/* The counted events' deltas of sample k: "name":{"delta":D,"running":F},
 * with a null delta when the event did not run during the sample. */
static void write_sample_counters(FILE *out, const struct br__run *run, unsigned k)
{
	const struct br__counter_set *set = run->counters;
	int first = 1;

	for (unsigned i = 0; set && i < set->n; i++) {
		size_t at = (size_t)k * set->n + i;
		if (set->ev[i].status != BR__CTR_COUNTED)
			continue;
		if (!first)
			fputc(',', out);
		first = 0;
		br__write_json_string(out, set->ev[i].name);
		fputs(":{\"delta\":", out);
		write_number(out, run->ctr_delta[at]);
		fputs(",\"running\":", out);
		write_number(out, run->ctr_running[at]);
		fputc('}', out);
	}
}

static const char *const status_names[] = {"counted", "unavailable", "unknown"};
static const char *const role_names[] = {NULL, "cycles", "instructions", "branch-misses",
                                         "cache-misses"};

void br__write_counters(FILE *out, const struct br__counter_set *set)
{
	for (unsigned i = 0; i < set->n; i++) {
		const struct br__counter *c = &set->ev[i];
		fputs("{\"type\":\"" BR__REC_COUNTER "\",\"name\":", out);
		br__write_json_string(out, c->name);
		fprintf(out, ",\"status\":\"%s\",\"requested\":%s", status_names[c->status],
		        c->requested ? "true" : "false");
		if (c->status != BR__CTR_UNKNOWN)
			fprintf(out, ",\"kind\":\"%s\"", c->hardware ? "hardware" : "software");
		if (c->encoding[0]) {
			write_key(out, "encoding");
			br__write_json_string(out, c->encoding);
		}
		if (role_names[c->role])
			fprintf(out, ",\"role\":\"%s\"", role_names[c->role]);
		if (c->status == BR__CTR_COUNTED) {
			fprintf(out, ",\"group\":%u,\"kernel\":%s", c->group,
			        c->kernel ? "true" : "false");
			if (isfinite(c->loop_per_iter)) {
				write_key(out, "loop_per_iter");
				write_number(out, c->loop_per_iter);
			}
		} else {
			write_key(out, "reason");
			br__write_json_string(out, c->reason);
		}
		fputs("}\n", out);
	}
}

/* "{"type":"TYPE","name":NAME" (the record left open). */
static void open_record(FILE *out, const char *type, const char *name)
{
	fprintf(out, "{\"type\":\"%s\",\"name\":", type);
	br__write_json_string(out, name);
}

static const char *const user_kinds[] = {"value", "per_iter", "rate"};

/* One "user_counter" record per counter the run has a figure for
 * (protocol 4). */
static void write_user_counters(FILE *out, const struct br__run *run)
{
	for (unsigned i = 0; run->status == 0 && i < run->nucount; i++) {
		double v = br__user_figure(&run->ucount[i]);
		if (!isfinite(v))
			continue;
		open_record(out, BR__REC_USER_COUNTER, run->inst->name);
		write_key(out, "counter");
		br__write_json_string(out, run->ucount[i].name);
		fprintf(out, ",\"kind\":\"%s\",\"value\":", user_kinds[run->ucount[i].kind]);
		write_number(out, v);
		fputs("}\n", out);
	}
}

/* The "memory" record: --memory's figures per iteration (protocol 5). */
static void write_memory(FILE *out, const struct br__run *run)
{
	static const char *const keys[] = {"allocs", "bytes", "frees", "reallocs", "leaked",
	                                   "peak", "max_rss"};
	const struct br__mem_result *m = &run->mem;
	const double v[] = {m->allocs, m->bytes, m->frees, m->reallocs, m->leaked, m->peak,
	                    m->max_rss};

	if (run->status != 0 || !m->have)
		return;
	open_record(out, BR__REC_MEMORY, run->inst->name);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		write_key(out, keys[i]);
		write_number(out, v[i]);
	}
	fputs("}\n", out);
}

void br__write_run(FILE *out, const struct br__run *run)
{
	const struct br__plan *p = &run->plan;

	fputs("{\"type\":\"" BR__REC_BENCHMARK "\"", out);
	write_identity(out, run->inst);
	fprintf(out, ",\"bytes_per_iter\":%" PRIu64 ",\"items_per_iter\":%" PRIu64
	        ",\"warmup_iters\":%" PRIu64 ",\"warmup_ns\":%" PRIu64
	        ",\"mode\":\"%s\",\"step_iters\":%" PRIu64 ",\"samples\":%u",
	        run->bytes_per_iter, run->items_per_iter, run->warmup_iters,
	        run->warmup_ns, p->flat ? "flat" : "linear",
	        p->flat ? p->flat_iters : p->step_iters, run->nsamples);
	if (run->label[0]) {
		write_key(out, "label");
		br__write_json_string(out, run->label);
	}
	if (run->pauses)
		fprintf(out, ",\"pauses\":%" PRIu64 ",\"paused_ns\":%" PRIu64, run->pauses,
		        run->paused_ns);
	if (run->inst->nthreads)
		fprintf(out, ",\"threads\":%u", run->inst->nthreads);
	fputs("}\n", out);
	for (unsigned k = 0; k < run->nsamples; k++) {
		fprintf(out, "{\"type\":\"" BR__REC_SAMPLE "\",\"k\":%u,\"iters\":%" PRIu64
		        ",\"ns\":%" PRIu64 ",\"counters\":{",
		        k + 1, run->iters[k], run->ns[k]);
		write_sample_counters(out, run, k);
		fputs("}}\n", out);
	}
	write_user_counters(out, run);
	write_memory(out, run);
	br__write_end(out, run);
}

void br__write_end(FILE *out, const struct br__run *run)
{
	fputs("{\"type\":\"" BR__REC_END "\",\"name\":", out);
	br__write_json_string(out, run->inst->name);
	if (run->status == 0) {
		fputs(",\"status\":\"ok\"}\n", out);
	} else {
		fprintf(out, ",\"status\":\"%s\",\"reason\":",
		        run->status == BR_ESKIPPED ? "skipped" : "failed");
		br__write_json_string(out, run->reason);
		fputs("}\n", out);
	}
}

/* Standard base64 (RFC 4648, with padding) of len bytes. */
static void write_base64(FILE *out, const unsigned char *p, size_t len)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		size_t n = len - i < 3 ? len - i : 3;
		if (n > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (n > 2)
			v |= p[i + 2];
		putc(digits[v >> 18], out);
		putc(digits[(v >> 12) & 63], out);
		putc(n > 1 ? digits[(v >> 6) & 63] : '=', out);
		putc(n > 2 ? digits[v & 63] : '=', out);
	}
}

/* One "ustack" record (protocol 6): a sample's registers (as signed 64-bit
 * integers, two's complement, so every value fits the JSON readers'
 * integers) and its user stack in base64. */
static void write_ustack(FILE *out, const char *name, const struct br__ustack *u)
{
	open_record(out, BR__REC_USTACK, name);
	fputs(",\"regs\":[", out);
	for (unsigned k = 0; k < BR__PROTO_UREGS; k++)
		fprintf(out, k ? ",%" PRId64 : "%" PRId64, (int64_t)u->regs[k]);
	fputs("],\"stack\":\"", out);
	write_base64(out, u->stack, u->len);
	fputs("\"}\n", out);
}

void br__write_profile(FILE *out, const struct br__run *run,
                       const struct br__sampler *smp, const struct br__maps *maps)
{
	br__write_stacks(out, run, smp->event, smp->freq_hz, &smp->prof, maps);
}

void br__write_stacks(FILE *out, const struct br__run *run, const char *event,
                      unsigned freq_hz, const struct br__profile *prof,
                      const struct br__maps *maps)
{
	const char *name = run->inst->name;

	open_record(out, BR__REC_PROFILE, name);
	fprintf(out, ",\"event\":\"%s\",\"freq\":%u}\n", event, freq_hz);
	for (size_t i = 0; i < prof->nstacks; i++) {
		const struct br__stack *st = &prof->stacks[i];
		open_record(out, BR__REC_STACK, name);
		fprintf(out, ",\"count\":%" PRIu64, st->count);
		if (st->bytes)
			fprintf(out, ",\"bytes\":%" PRIu64, st->bytes);
		fputs(",\"ips\":[", out);
		for (unsigned k = 0; k < st->depth; k++)
			fprintf(out, k ? ",%" PRIu64 : "%" PRIu64, st->ips[k]);
		fputs("]}\n", out);
	}
	for (size_t i = 0; i < prof->nustacks; i++)
		write_ustack(out, name, &prof->ustacks[i]);
	for (size_t i = 0; maps && i < maps->n; i++) {
		const struct br__map *m = &maps->map[i];
		open_record(out, BR__REC_MAP, name);
		fprintf(out, ",\"start\":%" PRIu64 ",\"end\":%" PRIu64 ",\"offset\":%" PRIu64
		        ",\"path\":", m->start, m->end, m->offset);
		br__write_json_string(out, m->path);
		fputs("}\n", out);
	}
	open_record(out, BR__REC_PROFILE_END, name);
	fprintf(out, ",\"samples\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"stacks\":%zu"
	        ",\"iters\":%" PRIu64 ",\"loop_ns\":%" PRIu64, prof->samples,
	        prof->lost, prof->nstacks, run->profile_iters, run->profile_ns);
	if (prof->dwarf)
		fprintf(out, ",\"ustack_bytes\":%" PRIu64, prof->ustack_bytes);
	fputs("}\n", out);
}

void br__write_profile_error(FILE *out, const char *name, const char *why)
{
	open_record(out, BR__REC_PROFILE_ERROR, name);
	write_key(out, "error");
	br__write_json_string(out, why);
	fputs("}\n", out);
}

void br__write_profile_human(FILE *out, const char *name, const struct br__run *run,
                             const struct br__sampler *smp, const char *why)
{
	const struct br__profile *prof = &smp->prof;

	fprintf(out, "%-40s ", name);
	if (why) {
		fprintf(out, "no profile: %s\n", why);
		return;
	}
	if (run->status != 0) {
		fprintf(out, "%s: %s\n", run->status == BR_ESKIPPED ? "skipped" : "FAILED",
		        run->reason);
		return;
	}
	fprintf(out, "%" PRIu64 " samples (%" PRIu64 " lost) of %s at %u Hz in %.3f s of "
	        "loop, %zu distinct stacks (use benchrun for a flame graph)\n",
	        prof->samples, prof->lost, smp->event, smp->freq_hz,
	        (double)run->profile_ns / 1e9, prof->nstacks);
}

void br__write_footer(FILE *out, unsigned benchmarks, unsigned failed)
{
	fprintf(out, "{\"type\":\"" BR__REC_FOOTER "\",\"benchmarks\":%u,\"failed\":%u}\n",
	        benchmarks, failed);
}

/* The Theil-Sen slope of ns against iters (median of pairwise slopes), the
 * estimator the harness uses per process; robust to a preempted sample,
 * which moves a least-squares slope far.  Flat plans have no ramp: total
 * over total, as when the slope cannot be had (no memory). */
static double slope_ns(const struct br__run *run)
{
	size_t n = run->nsamples;
	double *x = run->plan.flat ? NULL : malloc(2 * n * sizeof *x), *y = x ? x + n : NULL;
	double sx = 0, sy = 0, slope = NAN;

	for (size_t k = 0; x && k < n; k++) {
		x[k] = (double)run->iters[k];
		y[k] = (double)run->ns[k];
	}
	if (x && br__theil_sen(x, y, n, &slope) == 0) {
		free(x);
		return slope;
	}
	free(x);
	for (size_t k = 0; k < n; k++) {
		sx += (double)run->iters[k];
		sy += (double)run->ns[k];
	}
	return sy / sx;
}

static void human_time(FILE *out, double ns)
{
	static const char *units[] = {"ns", "µs", "ms", "s"};
	int u = 0;

	while (fabs(ns) >= 1000 && u < 3) {
		ns /= 1000;
		u++;
	}
	fprintf(out, "%9.3f %-2s", ns, units[u]);
}

/* Counted events per iteration, on a second line: the slope of each
 * event's deltas on iterations, less the loop's own count where measured. */
static void write_human_counters(FILE *out, const struct br__run *run)
{
	const struct br__counter_set *set = run->counters;
	const char *sep = "    per iteration:";

	for (unsigned i = 0; set && i < set->n; i++) {
		const struct br__counter *c = &set->ev[i];
		double v;
		if (c->status != BR__CTR_COUNTED)
			continue;
		v = br__counter_slope(run->iters, run->ctr_delta + i, run->nsamples, set->n);
		if (isfinite(c->loop_per_iter))
			v -= c->loop_per_iter;
		fprintf(out, "%s %s %.4g", sep, c->name, v);
		if (isfinite(c->loop_per_iter))
			fprintf(out, " (less the loop's %.3g)", c->loop_per_iter);
		sep = ",";
	}
	if (sep[0] == ',')
		fputc('\n', out);
}

void br__write_human(FILE *out, const struct br__run *run)
{
	double total = 0, per_iter;

	fprintf(out, "%-40s ", run->inst->name);
	if (run->status != 0) {
		fprintf(out, "%s: %s\n", run->status == BR_ESKIPPED ? "skipped" : "FAILED",
		        run->reason);
		return;
	}
	for (unsigned k = 0; k < run->nsamples; k++)
		total += (double)run->ns[k];
	per_iter = slope_ns(run);
	human_time(out, per_iter);
	fputs("/iter", out);
	if (run->bytes_per_iter && per_iter > 0)
		fprintf(out, "  %8.3f GB/s", run->bytes_per_iter / per_iter);
	else if (run->items_per_iter && per_iter > 0)
		fprintf(out, "  %8.3f Mitems/s", run->items_per_iter / per_iter * 1e3);
	fprintf(out, "  (%u samples, %.3f s; one process, no interval: use benchrun)\n",
	        run->nsamples, total / 1e9);
	write_human_counters(out, run);
	for (unsigned i = 0, first = 1; i < run->nucount; i++) {
		double v = br__user_figure(&run->ucount[i]);
		if (!isfinite(v))
			continue;
		fprintf(out, "%s %s %.4g%s", first ? "    user counters:" : ",",
		        run->ucount[i].name, v, run->ucount[i].kind == BR_COUNTER_PER_ITER ? "/iter"
		        : run->ucount[i].kind == BR_COUNTER_RATE ? "/s" : "");
		first = 0;
	}
	if (run->nucount)
		fputc('\n', out);
}
