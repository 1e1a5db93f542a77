/* SPDX-License-Identifier: MIT */
/* The worker entry point behind BR_MAIN(): parses the worker options, lists
 * or runs the registered benchmarks, and writes either the JSON-lines
 * protocol (for `benchrun`) or a human summary (for a person). */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "internal.h"

/* Set by benchrun to its own pid in every worker's environment (the name
 * is harness/proc.h's PROC_PARENT_ENV). */
#define PARENT_ENV "BENCHRUN_PARENT_PID"

enum { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_FAILED = 3 };

struct worker_opts {
	int list, jsonl, help, output_fd, list_counters, profile;
	const char *counters;  /* --counters value, or NULL for the default set */
	const char **run;      /* exact names; NULL-terminated */
	size_t nrun;
	const char *filter;    /* POSIX extended regex, or NULL */
	struct br__settings s;
	double profile_ns;     /* --profile-time: loop time sampled per benchmark */
	unsigned profile_hz;   /* --profile-freq */
	int dwarf;             /* --profile-callchain dwarf */
};

/* One table for parsing and for --help. */
static const struct {
	const char *name, *arg, *help;
} options[] = {
	{"--list", NULL, "list the benchmarks instead of running them"},
	{"--run", "NAME", "run the benchmark with exactly this name (repeatable)"},
	{"--filter", "REGEX", "run the benchmarks whose names match (extended regex)"},
	{"--warmup-time", "SECONDS", "warm-up budget per benchmark (default " BR__PROTO_STR(BR__PROTO_WARMUP_S) ")"},
	{"--measure-time", "SECONDS", "measurement budget per benchmark (default " BR__PROTO_STR(BR__PROTO_MEASURE_S) ")"},
	{"--samples", "N", "samples per benchmark (default " BR__PROTO_STR(BR__PROTO_SAMPLES) ")"},
	{"--plan", "MODE", "sample sizes: auto (default), linear (a ramp) or flat"},
	{"--measure", "WHAT", "time (default) or instructions: counted by callgrind "
	 "around the loop, which needs the program run under valgrind "
	 "--tool=callgrind --instr-atstart=no --collect-atstart=no"},
	{"--iterations", "N", "with --measure instructions: sample k runs k*N "
	 "iterations (default 1)"},
	{"--counters", "LIST", "count these libpfm4 events around every sample "
	 "(comma-separated; 'none' for no counting; default: the cheap ones this "
	 "machine counts)"},
	{"--list-counters", NULL, "try each candidate event (or the --counters list) "
	 "and say which this machine counts"},
	{"--memory", NULL, "after the samples, count the allocations of two untimed "
	 "calls (allocations, bytes, frees, reallocations, leak per iteration, peak)"},
	{"--profile-alloc", NULL, "record the call stack of every allocation of one "
	 "untimed call instead of measuring (an allocation profile)"},
	{"--profile", NULL, "record a sampled CPU profile of the measured loop instead "
	 "of measuring"},
	{"--profile-freq", "HZ", "samples per second when profiling (default " BR__PROTO_STR(BR__PROTO_PROFILE_HZ) ")"},
	{"--profile-time", "SECONDS", "loop time sampled per benchmark when profiling "
	 "(default " BR__PROTO_STR(BR__PROTO_PROFILE_S) ")"},
	{"--profile-callchain", "HOW", "fp (default): call chains by frame pointers; "
	 "dwarf: each sample's registers and user stack, for benchrun to unwind by "
	 "DWARF call-frame information (protocol 6)"},
	{"--jsonl", NULL, "write the JSON-lines worker protocol instead of a summary"},
	{"--output-fd", "FD", "write the output to this file descriptor"},
	{"--help", NULL, "show this help"},
};

static void usage(FILE *out, const char *prog)
{
	fprintf(out, "usage: %s [OPTION]...\nA benchrun benchmark program. "
	        "Run it under `benchrun` for intervals and comparisons.\n\n", prog);
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
		fprintf(out, "  %-15s %-8s %s\n", options[i].name,
		        options[i].arg ? options[i].arg : "", options[i].help);
}

static int parse_seconds(const char *v, double *ns)
{
	char *end;
	double s;

	errno = 0;
	s = strtod(v, &end);
	if (errno || end == v || *end || !(s >= 0) || s > 3600)
		return -1;
	*ns = s * 1e9;
	return 0;
}

static int parse_uint(const char *v, long lo, long hi, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

/* Apply option `name` with value `v`; 0 or -1 for a bad value. */
static int apply(struct worker_opts *o, const char *name, const char *v)
{
	long n;

	if (!strcmp(name, "--list"))
		o->list = 1;
	else if (!strcmp(name, "--jsonl"))
		o->jsonl = 1;
	else if (!strcmp(name, "--help"))
		o->help = 1;
	else if (!strcmp(name, "--run"))
		o->run[o->nrun++] = v;
	else if (!strcmp(name, "--filter"))
		o->filter = v;
	else if (!strcmp(name, "--counters"))
		o->counters = v;
	else if (!strcmp(name, "--list-counters"))
		o->list_counters = 1;
	else if (!strcmp(name, "--profile"))
		o->profile = 1;
	else if (!strcmp(name, "--profile-alloc"))
		o->profile = 2;
	else if (!strcmp(name, "--memory"))
		o->s.memory = 1;
	else if (!strcmp(name, "--profile-callchain")) {
		if (strcmp(v, "fp") && strcmp(v, "dwarf"))
			return -1;
		o->dwarf = !strcmp(v, "dwarf");
	} else if (!strcmp(name, "--profile-time"))
		return parse_seconds(v, &o->profile_ns) || o->profile_ns < 1e3 ? -1 : 0;
	else if (!strcmp(name, "--profile-freq")) {
		if (parse_uint(v, 1, 100000, &n))
			return -1;
		o->profile_hz = (unsigned)n;
	} else if (!strcmp(name, "--warmup-time"))
		return parse_seconds(v, &o->s.warmup_ns);
	else if (!strcmp(name, "--measure-time"))
		return parse_seconds(v, &o->s.measure_ns) || o->s.measure_ns < 1e3 ? -1 : 0;
	else if (!strcmp(name, "--samples")) {
		if (parse_uint(v, 2, 100000, &n))
			return -1;
		o->s.samples = (unsigned)n;
	} else if (!strcmp(name, "--plan")) {
		if (!strcmp(v, "linear"))
			o->s.plan_mode = BR__PLAN_LINEAR;
		else if (!strcmp(v, "flat"))
			o->s.plan_mode = BR__PLAN_FLAT;
		else if (strcmp(v, "auto") != 0)
			return -1;
	} else if (!strcmp(name, "--measure")) {
		if (!strcmp(v, "instructions"))
			o->s.instructions = 1;
		else if (strcmp(v, "time") != 0)
			return -1;
	} else if (!strcmp(name, "--iterations")) {
		if (parse_uint(v, 1, 1000000000, &n))
			return -1;
		o->s.step_iters = (uint64_t)n;
	} else if (!strcmp(name, "--output-fd")) {
		if (parse_uint(v, 0, 1 << 20, &n))
			return -1;
		o->output_fd = (int)n;
	}
	return 0;
}

/* Accepts "--name value" and "--name=value". */
static int parse_args(int argc, char **argv, struct worker_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a) : strlen(a), k;
		const char *v = eq ? eq + 1 : NULL;

		for (k = 0; k < sizeof options / sizeof options[0]; k++)
			if (strlen(options[k].name) == len && !strncmp(a, options[k].name, len))
				break;
		if (k == sizeof options / sizeof options[0]) {
			br__msg(BR_MSG_ERROR, "unknown option '%s' (try --help)", a);
			return -1;
		}
		if (!options[k].arg && v) {
			br__msg(BR_MSG_ERROR, "%s takes no value", options[k].name);
			return -1;
		}
		if (options[k].arg && !v) {
			if (i + 1 >= argc) {
				br__msg(BR_MSG_ERROR, "%s needs %s", a, options[k].arg);
				return -1;
			}
			v = argv[++i];
		}
		if (apply(o, options[k].name, v) != 0) {
			br__msg(BR_MSG_ERROR, "%s: bad value '%s'", options[k].name, v);
			return -1;
		}
	}
	return 0;
}

static int note_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
	char *hex = data;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		const char *end = p + ph->p_memsz;
		if (ph->p_type != PT_NOTE)
			continue;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			const unsigned char *desc = (const unsigned char *)p + sizeof *nh +
			                            ((nh->n_namesz + 3) & ~3u);
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(p + sizeof *nh, "GNU", 4)) {
				for (unsigned j = 0; j < nh->n_descsz && j < 20; j++)
					sprintf(hex + 2 * j, "%02x", desc[j]);
				return 1;
			}
			p = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	return 1;  /* the first object is the executable: stop there */
}

/* Whether instance `in` is selected by --run/--filter. */
static int selected(const struct worker_opts *o, const regex_t *re,
                    const struct br__instance *in)
{
	if (o->nrun) {
		for (size_t i = 0; i < o->nrun; i++)
			if (!strcmp(o->run[i], in->name))
				return 1;
		return 0;
	}
	return !re || regexec(re, in->name, 0, NULL, 0) == 0;
}

static int run_selected(const struct worker_opts *o, const struct br__settings *s,
                        const regex_t *re, FILE *out, const struct br__instance *all,
                        int n, unsigned *nrun)
{
	unsigned failed = 0;

	*nrun = 0;
	for (int i = 0; i < n; i++) {
		struct br__run run;
		if (!selected(o, re, &all[i]))
			continue;
		if (o->list) {
			if (o->jsonl)
				br__write_listed(out, &all[i]);
			else
				fprintf(out, "%s\n", all[i].name);
		} else {
			int rc = br__run_measure(&all[i], s, &run);
			failed += rc != 0 && rc != BR_ESKIPPED;
			if (o->jsonl)
				br__write_run(out, &run);
			else
				br__write_human(out, &run);
			br__run_free(&run);
		}
		(*nrun)++;
		fflush(out);
	}
	return (int)failed;
}

/* Profile one instance: open the sampler, run, write what came of it.
 * Returns 1 when the benchmark failed; a sampler the kernel refuses is
 * reported and is no failure (profiling is optional). */
static int profile_one(const struct worker_opts *o, const struct br__instance *in,
                       FILE *out)
{
	struct br__sampler smp;
	struct br__maps maps = {0};
	struct br__run run;
	char why[BR__REASON_MAX];
	int rc;

	if (br__sampler_open_as(&smp, o->profile_hz, in->nthreads > 1, o->dwarf, why,
	                        sizeof why) != 0) {
		if (o->jsonl)
			br__write_profile_error(out, in->name, why);
		else
			br__write_profile_human(out, in->name, NULL, NULL, why);
		return 0;
	}
	rc = br__run_profile(in, &o->s, o->profile_ns, &smp, &run);
	/* After the run: whatever the benchmark mapped is there too.  Without
	 * the maps the harness cannot symbolise, but the stacks still count. */
	if (rc == 0 && o->jsonl)
		br__maps_read_self(&maps);
	if (!o->jsonl)
		br__write_profile_human(out, in->name, &run, &smp, NULL);
	else if (rc == 0)
		br__write_profile(out, &run, &smp, &maps);
	else
		br__write_end(out, &run);
	br__maps_free(&maps);
	br__run_free(&run);
	br__sampler_close(&smp);
	return rc != 0 && rc != BR_ESKIPPED;
}

/* --profile-alloc: one instance's allocation profile, its stacks weighted
 * by count and bytes; 1 when the benchmark failed. */
static int alloc_profile_one(const struct worker_opts *o, const struct br__instance *in,
                             FILE *out)
{
	struct br__profile prof = {0};
	struct br__maps maps = {0};
	struct br__run run;
	uint64_t bytes = 0;
	int rc = br__run_alloc_profile(in, &o->s, o->profile_ns, &prof, &run);

	if (rc == 0 && o->jsonl) {
		br__maps_read_self(&maps);
		br__write_stacks(out, &run, "allocations", 0, &prof, &maps);
	} else if (rc == 0) {
		for (size_t i = 0; i < prof.nstacks; i++)
			bytes += prof.stacks[i].bytes;
		fprintf(out, "%s: %llu allocations, %llu bytes in %llu iterations, %zu call "
		        "stacks\n", in->name, (unsigned long long)prof.samples,
		        (unsigned long long)bytes, (unsigned long long)run.profile_iters,
		        prof.nstacks);
	} else if (o->jsonl) {
		br__write_end(out, &run);
	} else {
		br__write_human(out, &run);
	}
	br__maps_free(&maps);
	br__profile_free(&prof);
	br__run_free(&run);
	return rc != 0 && rc != BR_ESKIPPED;
}

/* --profile: each selected instance profiled in turn.  No counters are
 * opened: the profile is all this run is for. */
static int profile_selected(const struct worker_opts *o, const regex_t *re, FILE *out,
                            const struct br__instance *all, int n, unsigned *nrun)
{
	unsigned failed = 0;

	*nrun = 0;
	for (int i = 0; i < n; i++) {
		if (!selected(o, re, &all[i]))
			continue;
		failed += (unsigned)(o->profile == 2 ? alloc_profile_one(o, &all[i], out)
		                                     : profile_one(o, &all[i], out));
		(*nrun)++;
		fflush(out);
	}
	return (int)failed;
}

/* The events to count: the --counters list; else the candidates for
 * --list-counters, the default set otherwise.  0, or EXIT_USAGE after one
 * line. */
static int choose_counters(const struct worker_opts *o,
                           struct br__counter_set *set)
{
	char err[160];

	if (o->counters) {
		if (br__counters_parse(o->counters, set, err, sizeof err) != 0) {
			br__msg(BR_MSG_ERROR, "--counters: %s", err);
			return EXIT_USAGE;
		}
	} else if (o->list_counters) {
		br__counters_candidates(set);
	} else {
		br__counters_default(set);
	}
	return 0;
}

/* Open the events (not for a plain human --list, which needs none).  An
 * unknown name is a usage error; an event the machine cannot count is
 * recorded, and warned about here only when a person runs the program and
 * asked for it: under benchrun the harness warns, once per suite. */
static int open_counters(const struct worker_opts *o, FILE *out,
                         struct br__counter_set *set)
{
	int rc;
	char warn[BR__PROTO_COUNTER_NAME_MAX + BR__COUNTER_REASON_MAX + 32];

	if (o->list && !o->jsonl)
		return 0;
	rc = br__counters_open(set);
	/* Before the records, which carry the loop's count. */
	if (rc == 0 && !o->list && !o->list_counters)
		br__counters_calibrate_loop(set);
	if (o->jsonl)
		br__write_counters(out, set);
	for (unsigned i = 0; i < set->n; i++) {
		const struct br__counter *c = &set->ev[i];
		if (c->status == BR__CTR_UNKNOWN) {
			br__msg(BR_MSG_ERROR, "--counters: '%s': %s (libpfm4)", c->name, c->reason);
			return EXIT_USAGE;
		}
		if (!o->jsonl && !o->list_counters && c->requested &&
		    c->status == BR__CTR_UNAVAILABLE) {
			br__counter_warning(c, warn, sizeof warn);
			br__msg(BR_MSG_WARNING, "%s", warn);
		}
	}
	return rc == 0 ? 0 : EXIT_FAILED;
}

/* --list-counters for a person: each event tried, hardware then software. */
static void print_counters(FILE *out, const struct br__counter_set *set)
{
	for (int hw = 1; hw >= 0; hw--) {
		fprintf(out, "%s events:\n", hw ? "hardware" : "software");
		for (unsigned i = 0; i < set->n; i++) {
			const struct br__counter *c = &set->ev[i];
			if (c->hardware != hw)
				continue;
			if (c->status == BR__CTR_COUNTED)
				fprintf(out, "  %-24s yes%s\n", c->name,
				        c->kernel ? " (counted in kernel mode too)" : "");
			else
				fprintf(out, "  %-24s no: %s\n", c->name, c->reason);
		}
	}
}

static int work(const struct worker_opts *o, const regex_t *re, FILE *out,
                struct br__build *build)
{
	const struct br__instance *all;
	struct br__timer_facts facts;
	struct br__counter_set set;
	struct br__settings settings;
	unsigned nrun;
	int n = br__registry_instances(&all), failed;

	if (n < 0) {
		br__msg(BR_MSG_ERROR, "%s", br_strerror(n));
		return EXIT_FAILED;
	}
	if (!o->profile && (failed = choose_counters(o, &set)) != 0)
		return failed;
	if (o->jsonl) {
		br__timer_calibrate(&facts);
		dl_iterate_phdr(note_build_id, build->build_id);
		br__write_header(out, build, &facts);
	}
	if (o->profile) {
		failed = profile_selected(o, re, out, all, n, &nrun);
	} else if ((failed = open_counters(o, out, &set)) != 0 ||
	           o->list_counters) {
		if (o->jsonl)
			br__write_footer(out, 0, 0);
		else if (!failed)
			print_counters(out, &set);
		br__counters_close(&set);
		return failed;
	} else {
		settings = o->s;
		settings.counters = &set;
		failed = run_selected(o, &settings, re, out, all, n, &nrun);
		br__counters_close(&set);
	}
	if (o->jsonl)
		br__write_footer(out, nrun, (unsigned)failed);
	if (nrun == 0 && (o->nrun || o->filter)) {
		br__msg(BR_MSG_ERROR, "%s", br_strerror(BR_ENOBENCH));
		return EXIT_USAGE;
	}
	return failed ? EXIT_FAILED : EXIT_OK;
}

/* ---- Dying with benchrun ---------------------------------------------- */

/* The process forking, when it forks from its main thread; 0 otherwise.
 * Per thread, since the value must be the forking thread's. */
static __thread pid_t fork_parent;

static void on_fork_prepare(void)
{
	/* The parent-death signal follows the parent *thread*: a child forked
	 * by a thread that ends would be killed with the thread, so only
	 * children of the main thread get it. */
	fork_parent = gettid() == getpid() ? getpid() : 0;
}

/* In a child the benchmark forked: die with the parent, as the worker dies
 * with benchrun; and when the parent is already gone (it died between the
 * fork and the prctl, so no signal will come), die now, as the signal
 * would have made it. */
static void on_fork_child(void)
{
	if (fork_parent > 0 && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == 0 &&
	    getppid() != fork_parent)
		raise(SIGKILL);
}

/* When benchrun started this worker (PARENT_ENV holds its pid), make the
 * worker, and every child the benchmark forks, die by SIGKILL when its
 * parent dies, however that dies: benchrun kills its workers on every exit
 * it sees, but a SIGKILLed benchrun runs no code, and a hung benchmark
 * would then spin on with no time-out to end it.  The variable is removed,
 * so a worker that the benchmark itself runs is not bound to the wrong
 * parent.  Returns 0, or -1 when that parent is already gone (it died
 * before the prctl, so no signal will come). */
static int die_with_parent(void)
{
	static int registered;
	const char *v = getenv(PARENT_ENV);
	char *end;
	long ppid;

	if (!v)
		return 0;
	errno = 0;
	ppid = strtol(v, &end, 10);
	unsetenv(PARENT_ENV);
	if (errno || end == v || *end || ppid <= 1 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		return 0;
	if (!registered++)
		pthread_atfork(on_fork_prepare, NULL, on_fork_child);
	return getppid() == (pid_t)ppid ? 0 : -1;
}

/* --measure instructions needs the client requests built in and callgrind
 * running the program; 0, or -1 after one line. */
static int check_callgrind(void)
{
	switch (br__cg_state()) {
	case BR__CG_RUNNING:
		return 0;
	case BR__CG_NOT_RUNNING:
		br__msg(BR_MSG_ERROR, "--measure instructions: not running under Valgrind (run it "
		        "through benchrun --measure instructions, or under valgrind "
		        "--tool=callgrind --instr-atstart=no --collect-atstart=no)");
		return -1;
	default:
		br__msg(BR_MSG_ERROR, "--measure instructions: this libbenchrun was built without "
		        "valgrind/callgrind.h (install valgrind and rebuild it)");
		return -1;
	}
}

int br_main_ex(int argc, char **argv, const char *compiler, const char *cflags)
{
	struct worker_opts o = {.output_fd = 1, .s = {BR__PROTO_WARMUP_S * 1e9, BR__PROTO_MEASURE_S * 1e9,
	                                                  BR__PROTO_SAMPLES, NULL, BR__PLAN_AUTO, 0, 1, 0},
	                        .profile_ns = BR__PROTO_PROFILE_S * 1e9,
	                        .profile_hz = BR__PROTO_PROFILE_HZ};
	struct br__build build = {compiler, cflags, argc > 0 ? argv[0] : "?", ""};
	regex_t re;
	FILE *out;
	int rc, err;

	br__program = build.program;
	/* At most one --run per argument. */
	if (!(o.run = calloc(argc > 0 ? (size_t)argc : 1, sizeof *o.run)))
		return EXIT_FAILED;
	rc = parse_args(argc, argv, &o);
	if (rc == 0 && o.profile && (o.list || o.list_counters)) {
		br__msg(BR_MSG_ERROR, "--profile cannot be combined with --list or --list-counters");
		rc = -1;
	}
	if (rc == 0 && (o.s.memory || o.profile == 2) && !br__mem_supported()) {
		br__msg(BR_MSG_ERROR, "--memory and --profile-alloc: this libbenchrun was built with "
		        "AddressSanitizer, whose allocator it cannot count");
		rc = -1;
	}
	if (rc == 0 && o.s.instructions && !o.list && !o.help &&
	    (rc = check_callgrind()) == 0 && !o.counters)
		o.counters = "none";  /* perf events would count Valgrind's work */
	if (rc == 0 && o.help)
		usage(stdout, build.program);
	if (rc != 0 || o.help) {
		free(o.run);
		return rc != 0 ? EXIT_USAGE : EXIT_OK;
	}
	if (o.jsonl && die_with_parent() != 0) {
		br__msg(BR_MSG_ERROR, "the benchrun that started this worker has gone");
		free(o.run);
		return EXIT_FAILED;
	}
	if (o.filter && (err = regcomp(&re, o.filter, REG_EXTENDED | REG_NOSUB)) != 0) {
		char msg[128];
		regerror(err, &re, msg, sizeof msg);
		br__msg(BR_MSG_ERROR, "--filter '%s': %s", o.filter, msg);
		free(o.run);
		return EXIT_USAGE;
	}
	out = o.output_fd == 1 ? stdout : fdopen(o.output_fd, "w");
	if (!out) {
		br__msg(BR_MSG_ERROR, "--output-fd %d: %s", o.output_fd, strerror(errno));
		rc = EXIT_USAGE;
	} else {
		rc = work(&o, o.filter ? &re : NULL, out, &build);
		if (fflush(out) != 0)
			rc = EXIT_FAILED;
	}
	if (o.filter)
		regfree(&re);
	free(o.run);
	return rc;
}
