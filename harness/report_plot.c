/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report's plots.  Numbers reach gnuplot only through data files and
 * numeric literals we format; the only strings in the script are our own
 * file names (letters, digits, '-', '_') and axis tick labels, which go
 * through escape_gnuplot().  All figures come from one gnuplot process:
 * starting gnuplot costs more than drawing a figure. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "changepoint.h"
#include "escape.h"
#include "msg.h"
#include "proc.h"
#include "complexity.h"
#include "pairslope.h"
#include "report_plot.h"
#include "units.h"

#define STEM_LEN 64

/* A display unit for durations around ns: the scale divides ns. */
struct tunit {
	const char *name;
	double scale;
};

static struct tunit time_unit(const struct bench_result *b, double ns)
{
	if (b->measure == MEASURE_INSTRUCTIONS)
		return (struct tunit){"Ir", 1};
	if (!(fabs(ns) >= 1e3))
		return (struct tunit){"ns", 1};
	if (fabs(ns) < 1e6)
		return (struct tunit){"µs", 1e3};
	if (fabs(ns) < 1e9)
		return (struct tunit){"ms", 1e6};
	return (struct tunit){"s", 1e9};
}

const char *report_plot_find_gnuplot(char *buf, size_t len)
{
	return proc_find_program("gnuplot", buf, len);
}

int report_plot_sweep_param(const struct bench_result *b, double *param)
{
	char *end;

	if (!b->param || !*b->param || !b->group || !b->function)
		return 0;
	errno = 0;
	*param = strtod(b->param, &end);
	return !errno && !*end && isfinite(*param) && *param > 0;
}

/* Every sample's time per iteration, ns, over all processes; *n of them.
 * NULL when there are none (or no memory). */
static double *per_iter_times(const struct bench_result *b, size_t *n)
{
	size_t total = 0, k = 0;
	double *v;

	for (size_t p = 0; p < b->nprocs; p++)
		total += b->procs[p].nsamples;
	if (!total || !(v = malloc(total * sizeof *v)))
		return NULL;
	for (size_t p = 0; p < b->nprocs; p++)
		for (size_t i = 0; i < b->procs[p].nsamples; i++)
			if (b->procs[p].samples[i].iters)
				v[k++] = b->procs[p].samples[i].ns / (double)b->procs[p].samples[i].iters;
	*n = k;
	if (!k) {
		free(v);
		return NULL;
	}
	return v;
}

/* A density plot's kernel bandwidth and x range, ns. */
struct kde {
	double bw, lo, hi;
};

/* Sorts v.  The bandwidth is Silverman's robust rule, 0.9 min(sd, IQR /
 * 1.34) n^-1/5: the sd alone is inflated by the few slow samples every
 * run has and would smear the bulk.  gnuplot's default rule fails outright
 * on a zero spread, and one failure would stop every later figure of the
 * script, so bw is 0 (no plot) when the values do not spread.  The range
 * covers the bulk up to the 99th percentile plus three bandwidths, so one
 * far outlier does not squash the curve into a corner. */
static struct kde kde_of(double *v, size_t n)
{
	double m = 0, ss = 0, sd, iqr, spread;
	struct kde k = {0, 0, 0};

	if (n < 2)
		return k;
	qsort(v, n, sizeof *v, br__cmp_double);
	for (size_t i = 0; i < n; i++)
		m += v[i];
	m /= (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - m) * (v[i] - m);
	sd = sqrt(ss / (double)(n - 1));
	iqr = v[(3 * n) / 4] - v[n / 4];
	spread = iqr > 0 ? fmin(sd, iqr / 1.34) : sd;
	if (!(spread > 0))
		return k;
	k.bw = 0.9 * spread * pow((double)n, -0.2);
	k.lo = fmax(0, v[0] - 3 * k.bw);
	k.hi = v[(size_t)(0.99 * (double)(n - 1))] + 3 * k.bw;
	return k;
}

/* Write v (n values, divided by scale) one per line to dir/file. */
static int write_values(const char *dir, const char *file, const double *v, size_t n,
                        double scale)
{
	char path[4096 + 128];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (!(f = fopen(path, "w"))) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%.9g\n", v[i] / scale);
	if (fclose(f) != 0) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

static const struct bench_result *namesake(const struct suite *base, const char *name)
{
	for (size_t i = 0; base && i < base->nbenches; i++)
		if (!strcmp(base->benches[i].name, name))
			return &base->benches[i];
	return NULL;
}

/* Start a figure: a fresh state and output file PREFIX STEM SUFFIX.svg of
 * w x h pixels; no enhanced text, so no character of a label is markup. */
static void fig_begin_named(FILE *gp, const char *prefix, const char *stem,
                            const char *suffix, int w, int h)
{
	/* `set micro`: the %c tick prefix for 1e-6 is µ, as everywhere else
	 * in the report, not gnuplot's default "u". */
	fprintf(gp, "reset\nset terminal svg size %d,%d font 'sans,12' "
	        "background rgb 'white' noenhanced\nset output '%s%s%s.svg'\n"
	        "set micro\nset grid lc rgb '#dddddd'\nset border lc rgb '#555555'\n",
	        w, h, prefix, stem, suffix);
}

static void fig_begin(FILE *gp, const char *stem, const char *suffix, int w, int h)
{
	fig_begin_named(gp, "", stem, suffix, w, h);
}

/* The density of per-iteration times with the mean and median marked. */
static int plot_dist(FILE *gp, const char *pdir, const char *stem,
                     const struct bench_result *b, double *v, size_t n)
{
	struct tunit u = time_unit(b, b->analysis.an.median.point);
	struct kde k = kde_of(v, n);
	double bw = k.bw / u.scale;
	char file[STEM_LEN + 16];

	if (!(bw > 0))
		return 0;
	snprintf(file, sizeof file, "%s.iter", stem);
	if (write_values(pdir, file, v, n, u.scale) != 0)
		return -1;
	fig_begin(gp, stem, "-dist", 640, 360);
	fprintf(gp, "set xrange [%.9g:%.9g]\n", k.lo / u.scale, k.hi / u.scale);
	fprintf(gp, "set xlabel 'time per iteration (%s)'\nset ylabel 'density'\n"
	        "set yrange [0:*]\nset key top right\n"
	        "set arrow 1 from %.9g, graph 0 to %.9g, graph 1 nohead lc rgb '#d62728' dt 2 lw 2\n"
	        "set arrow 2 from %.9g, graph 0 to %.9g, graph 1 nohead lc rgb '#2ca02c' lw 2\n"
	        "plot '%s' using 1:(1.0/%zu) smooth kdensity bandwidth %.9g with lines lw 2 "
	        "lc rgb '#1f77b4' title 'density', NaN with lines lc rgb '#d62728' dt 2 lw 2 "
	        "title 'mean', NaN with lines lc rgb '#2ca02c' lw 2 title 'median'\n",
	        u.name, b->analysis.an.mean.point / u.scale, b->analysis.an.mean.point / u.scale,
	        b->analysis.an.median.point / u.scale, b->analysis.an.median.point / u.scale, file, n, bw);
	return 0;
}

/* Median of the intercepts ns - slope * iters: where the slope line sits. */
static double intercept(const struct bench_result *b, double slope)
{
	size_t n = 0, k = 0;
	double *r, mid;

	for (size_t p = 0; p < b->nprocs; p++)
		n += b->procs[p].nsamples;
	if (!n || !(r = malloc(n * sizeof *r)))
		return 0;
	for (size_t p = 0; p < b->nprocs; p++)
		for (size_t i = 0; i < b->procs[p].nsamples; i++)
			r[k++] = b->procs[p].samples[i].ns - slope * (double)b->procs[p].samples[i].iters;
	for (size_t i = 1; i < n; i++)  /* insertion sort: n is a few hundred */
		for (size_t j = i; j > 0 && r[j - 1] > r[j]; j--) {
			double t = r[j]; r[j] = r[j - 1]; r[j - 1] = t;
		}
	mid = n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
	free(r);
	return mid;
}

/* Total time of each sample against its iterations, with the slope. */
static int plot_fit(FILE *gp, const char *pdir, const char *stem, const struct bench_result *b)
{
	char path[4096 + 128];
	double max = 0, max_iters = 0, a, is;
	struct tunit u;
	const char *iname;
	FILE *f;

	for (size_t p = 0; p < b->nprocs; p++)
		for (size_t i = 0; i < b->procs[p].nsamples; i++) {
			max = fmax(max, b->procs[p].samples[i].ns);
			max_iters = fmax(max_iters, (double)b->procs[p].samples[i].iters);
		}
	u = time_unit(b, max);
	/* Millions of iterations in plain digits: gnuplot's 2.5e+06 overruns
	 * the plot's right edge. */
	is = max_iters >= 1e6 ? 1e6 : max_iters >= 1e4 ? 1e3 : 1;
	iname = is == 1e6 ? " (millions)" : is == 1e3 ? " (thousands)" : "";
	snprintf(path, sizeof path, "%s/%s.samples", pdir, stem);
	if (!(f = fopen(path, "w"))) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	for (size_t p = 0; p < b->nprocs; p++)
		for (size_t i = 0; i < b->procs[p].nsamples; i++)
			fprintf(f, "%.9g %.9g\n", (double)b->procs[p].samples[i].iters / is,
			        b->procs[p].samples[i].ns / u.scale);
	if (fclose(f) != 0) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	a = intercept(b, b->analysis.an.slope.point);
	fig_begin(gp, stem, "-fit", 640, 360);
	fprintf(gp, "set xlabel 'iterations per sample%s'\nset ylabel 'total time per sample (%s)'\n"
	        "set key top left\nset xrange [0:*]\nset yrange [0:*]\n"
	        "plot '%s.samples' using 1:2 with points pt 7 ps 0.5 lc rgb '#1f77b4' title 'samples', "
	        "(%.9g + %.9g * x) with lines lw 2 lc rgb '#d62728' title 'slope fit'\n",
	        iname, u.name, stem, a / u.scale, b->analysis.an.slope.point * is / u.scale);
	return 0;
}

/* Baseline and current densities on one axis. */
static int plot_base(FILE *gp, const char *pdir, const char *stem,
                     const struct bench_result *b, double *v, size_t n,
                     const struct bench_result *old)
{
	struct tunit u = time_unit(b, b->analysis.an.median.point);
	size_t nb = 0;
	double *vb = per_iter_times(old, &nb), bw, bwb;
	struct kde k = kde_of(v, n), kb;
	char file[STEM_LEN + 16];
	int rc = 0;

	if (!vb)
		return 0;
	kb = kde_of(vb, nb);
	bw = k.bw;
	bwb = kb.bw;
	snprintf(file, sizeof file, "%s.base", stem);
	if (bw > 0 && bwb > 0 && (rc = write_values(pdir, file, vb, nb, u.scale)) == 0) {
		fig_begin(gp, stem, "-base", 640, 360);
		fprintf(gp, "set xrange [%.9g:%.9g]\n", fmin(k.lo, kb.lo) / u.scale,
		        fmax(k.hi, kb.hi) / u.scale);
		fprintf(gp, "set xlabel 'time per iteration (%s)'\nset ylabel 'density'\n"
		        "set yrange [0:*]\nset key top right\n"
		        "plot '%s' using 1:(1.0/%zu) smooth kdensity bandwidth %.9g with lines lw 2 "
		        "lc rgb '#7f7f7f' dt 2 title 'baseline', "
		        "'%s.iter' using 1:(1.0/%zu) smooth kdensity bandwidth %.9g with lines lw 2 "
		        "lc rgb '#1f77b4' title 'current'\n",
		        u.name, file, nb, bwb / u.scale, stem, n, bw / u.scale);
	}
	free(vb);
	return rc;
}

/* The trend of b in the history: each machine's runs as one series
 * (estimate and interval, oldest first), its change points as dashed
 * lines (changepoint.h at its defaults). */
static int plot_trend(FILE *gp, const char *pdir, const char *stem,
                      const struct bench_result *b, const struct history_rows *h)
{
	struct tunit u = time_unit(b, b->analysis.an.median.point);
	char path[4096 + 128];
	size_t from, to;
	FILE *f;

	if (!h || !history_rows_find(h, b->name, &from, &to) || to - from < 2)
		return 0;
	snprintf(path, sizeof path, "%s/%s.trend", pdir, stem);
	if (!(f = fopen(path, "w"))) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	fig_begin(gp, stem, "-trend", 800, 360);
	fprintf(gp, "set xlabel 'run (oldest first)'\nset ylabel 'time per iteration (%s)'\n"
	        "set key top left\n", u.name);
	for (size_t i = from, j; i < to; i = j) {
		struct changepoint_opts o = changepoint_opts_default();
		struct changepoint *cp = NULL;
		double *x;
		long k;
		for (j = i; j < to && !strcmp(h->v[j].machine, h->v[i].machine); j++)
			fprintf(f, "%zu %.9g %.9g %.9g\n", j - i + 1, h->v[j].r.estimate / u.scale,
			        h->v[j].r.lo / u.scale, h->v[j].r.hi / u.scale);
		fputs("\n\n", f);
		if (!(x = malloc((j - i) * sizeof *x)))
			continue;
		for (size_t m = i; m < j; m++)
			x[m - i] = h->v[m].r.estimate;
		k = changepoint_detect(x, j - i, &o, &cp);
		for (long m = 0; m < k; m++)
			fprintf(gp, "set arrow from %.1f, graph 0 to %.1f, graph 1 nohead dt 2 "
			        "lc rgb '#d62728'\n", (double)cp[m].index + 0.5, (double)cp[m].index + 0.5);
		free(cp);
		free(x);
	}
	fputs("plot ", gp);
	for (size_t i = from, s = 0; i < to; i++)
		if (i == from || strcmp(h->v[i].machine, h->v[i - 1].machine) != 0) {
			fprintf(gp, "%s'%s.trend' index %zu using 1:2:3:4 with yerrorlines pt 7 ps 0.5 "
			        "title 'machine %.8s'", s ? ", " : "", stem, s, h->v[i].machine);
			s++;
		}
	fputc('\n', gp);
	if (fclose(f) != 0) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

static int plot_bench(FILE *gp, const char *pdir, const struct bench_result *b,
                      const struct suite *base, const struct history_rows *h)
{
	char stem[STEM_LEN];
	size_t n = 0;
	double *v;
	int rc;

	if (b->failed || !b->analysis.done || !(v = per_iter_times(b, &n)))
		return 0;
	escape_file_stem(stem, sizeof stem, b->name);
	rc = plot_dist(gp, pdir, stem, b, v, n);
	if (rc == 0)
		rc = plot_fit(gp, pdir, stem, b);
	if (rc == 0 && namesake(base, b->name))
		rc = plot_base(gp, pdir, stem, b, v, n, namesake(base, b->name));
	if (rc == 0)
		rc = plot_trend(gp, pdir, stem, b, h);
	free(v);
	return rc;
}

/* Whether b belongs to the group (or, with `function`, the sweep) of c. */
static int same_set(const struct bench_result *b, const struct bench_result *c, int function)
{
	double x;

	if (!b->group || !c->group || strcmp(b->group, c->group) != 0)
		return 0;
	if (!function)
		return 1;
	return b->function && c->function && !strcmp(b->function, c->function) &&
	       report_plot_sweep_param(b, &x) && report_plot_sweep_param(c, &x);
}

/* Whether b is the first of its set in s (the set is plotted there). */
static int first_of_set(const struct suite *s, size_t i, int function)
{
	for (size_t k = 0; k < i; k++)
		if (s->benches[k].analysis.done && same_set(&s->benches[k], &s->benches[i], function))
			return 0;
	return 1;
}

/* The name without its "group/" prefix: the tick label in a group. */
static const char *short_name(const struct bench_result *b)
{
	size_t g = b->group ? strlen(b->group) : 0;

	return g && !strncmp(b->name, b->group, g) && b->name[g] == '/' ? b->name + g + 1 : b->name;
}

/* One box of per-iteration times per benchmark of the group of s->benches[i]. */
static int plot_group(FILE *gp, const char *pdir, const struct suite *s, size_t i)
{
	const struct bench_result *first = &s->benches[i];
	/* In seconds, ticked with SI prefixes: a group spans decades. */
	struct tunit u = first->measure == MEASURE_INSTRUCTIONS ? (struct tunit){"Ir", 1}
	                                                        : (struct tunit){"s", 1e9};
	char stem[STEM_LEN], path[4096 + 128];
	size_t nbox = 0;
	FILE *f;

	escape_file_stem(stem, sizeof stem, first->group);
	snprintf(path, sizeof path, "%s/group-%s.dat", pdir, stem);
	if (!(f = fopen(path, "w"))) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	for (size_t k = i; k < s->nbenches; k++)
		nbox += s->benches[k].analysis.done && same_set(&s->benches[k], first, 0);
	/* Wide enough for each box's rotated label. */
	fig_begin_named(gp, "group-", stem, "", nbox > 8 ? 80 * (int)nbox : 640, 420);
	nbox = 0;
	fputs("set xtics (", gp);
	for (size_t k = i; k < s->nbenches; k++) {
		const struct bench_result *b = &s->benches[k];
		size_t n;
		double *v;
		if (!b->analysis.done || !same_set(b, first, 0) || !(v = per_iter_times(b, &n)))
			continue;
		fprintf(f, "%s", nbox ? "\n\n" : "");
		for (size_t j = 0; j < n; j++)
			fprintf(f, "%.9g\n", v[j] / u.scale);
		free(v);
		fprintf(gp, "%s", nbox ? ", " : "");
		escape_gnuplot_tic(gp, short_name(b));
		fprintf(gp, " %zu", ++nbox);
	}
	if (fclose(f) != 0) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	if (!nbox) {
		fputs(")\nunset output\n", gp);
		return 0;
	}
	fprintf(gp, ") rotate by -30 left\nset logscale y\nset key off\nset xrange [0.4:%zu.6]\n"
	        "set format y '%%.0s %%c%s'\nset ylabel 'time per iteration'\n"
	        "set style data boxplot\n"
	        "set style boxplot outliers pointtype 7\nset pointsize 0.4\nset boxwidth 0.5\n"
	        "plot for [i=0:%zu] 'group-%s.dat' index i using (i+1):1 lc rgb '#1f77b4'\n",
	        nbox, u.name, nbox - 1, stem);
	return 0;
}

struct sweep_point {
	double param;
	const struct bench_result *b;
};

static int by_param(const void *x, const void *y)
{
	double a = ((const struct sweep_point *)x)->param, b = ((const struct sweep_point *)y)->param;

	return (a > b) - (a < b);
}

/* The sweep points of s->benches[i]'s group/function, sorted; *n of them. */
static struct sweep_point *sweep_points(const struct suite *s, size_t i, size_t *n)
{
	struct sweep_point *pt = calloc(s->nbenches, sizeof *pt);

	*n = 0;
	for (size_t k = i; pt && k < s->nbenches; k++)
		if (s->benches[k].analysis.done && same_set(&s->benches[k], &s->benches[i], 1)) {
			report_plot_sweep_param(&s->benches[k], &pt[*n].param);
			pt[(*n)++].b = &s->benches[k];
		}
	if (pt)
		qsort(pt, *n, sizeof *pt, by_param);
	return pt;
}

/* What the parameter of a sweep counts, when the definition says: the
 * bytes (or items) processed per iteration equal to the parameter at every
 * point, as in hash/fnv1a/1024 with 1024 bytes per iteration. */
static const char *sweep_param_kind(const struct sweep_point *pt, size_t n)
{
	int bytes = 1, items = 1;

	for (size_t k = 0; k < n; k++) {
		bytes &= pt[k].b->bytes_per_iter == pt[k].param;
		items &= pt[k].b->items_per_iter == pt[k].param;
	}
	return bytes ? "bytes" : items ? "items" : NULL;
}

/* The SI prefix that puts `max` between 1 and 1000, and its factor. */
static const char *si_prefix(double max, double *factor)
{
	static const char *const prefix[] = {"", "k", "M", "G", "T", "P"};
	int p = 0;

	*factor = 1;
	while (max / *factor >= 1000 && p < 5) {
		*factor *= 1000;
		p++;
	}
	return prefix[p];
}

/* The best complexity fit of a sweep of three sizes or more as a gnuplot
 * curve in seconds with its title ("1.2e-09*x*log(x)/log(2) title ..."),
 * into buf; 0 (buf "") when it has none. */
static int fit_of(const struct sweep_point *pt, size_t n, char *buf, size_t len)
{
	static const char *const g[BIGO_COUNT] = {
		"1", "log(x)/log(2)", "x", "x*log(x)/log(2)", "x**2", "x**3",
	};
	double *x = calloc(n + 1, sizeof *x), *t = calloc(n + 1, sizeof *t);
	struct complexity_fit f;
	int ok;

	buf[0] = '\0';
	for (size_t k = 0; x && t && k < n; k++) {
		x[k] = pt[k].param;
		t[k] = pt[k].b->analysis.an.slope.point;
	}
	ok = x && t && complexity_fit(x, t, n, &f) == 0 && pt[0].b->measure == MEASURE_TIME;
	if (ok)
		snprintf(buf, len, "%.9g*%s title '%s fit, RMS %.1f%%'", f.coef[f.best] / 1e9,
		         g[f.best], complexity_name(f.best), 100 * f.rms[f.best]);
	free(x);
	free(t);
	return ok;
}

/* Time (with its interval) and throughput against the parameter.  Axis
 * ticks never read 1e+06: the parameter axis (log) uses SI prefixes and
 * says what it counts when known; the throughput axis is linear from 0 in
 * one unit chosen for its largest value, so its ticks are plain numbers
 * ("2.5" in GB/s) rather than two decades far apart. */
static int plot_sweep(FILE *gp, const char *pdir, const struct sweep_point *pt, size_t n)
{
	const struct bench_result *b0 = pt[0].b;
	struct tunit u = {"s", 1e9};  /* SI tick labels: a sweep spans decades */
	char key[512], stem[STEM_LEN], path[4096 + 128], xlabel[64], fit[160];
	int rate = 1, items = b0->bytes_per_iter <= 0;
	const char *kind = sweep_param_kind(pt, n), *rprefix;
	double rmax = 0, rfactor;
	FILE *f;

	for (size_t k = 0; k < n; k++) {
		double per = items ? pt[k].b->items_per_iter : pt[k].b->bytes_per_iter;
		rate &= per > 0;
		if (per > 0)
			rmax = fmax(rmax, per / pt[k].b->analysis.an.slope.point * 1e9);
	}
	rprefix = si_prefix(rmax, &rfactor);
	snprintf(key, sizeof key, "%s/%s", b0->group, b0->function);
	escape_file_stem(stem, sizeof stem, key);
	snprintf(path, sizeof path, "%s/sweep-%s.dat", pdir, stem);
	if (!(f = fopen(path, "w"))) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	for (size_t k = 0; k < n; k++) {
		const struct analysis *a = &pt[k].b->analysis.an;
		double per = items ? pt[k].b->items_per_iter : pt[k].b->bytes_per_iter;
		fprintf(f, "%.9g %.9g %.9g %.9g %.9g\n", pt[k].param, a->slope.point / u.scale,
		        a->slope.lo / u.scale, a->slope.hi / u.scale,
		        per / a->slope.point * 1e9 / rfactor);
	}
	if (fclose(f) != 0) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	/* "%.0s %c" prints 1 k, 64 k, 1 M: no exponent even past a million. */
	snprintf(xlabel, sizeof xlabel, "set xlabel '%s'\nset format x '%%.0s %%c%s'\n",
	         kind ? (!strcmp(kind, "bytes") ? "size (bytes)" : "items") : "parameter",
	         kind && !strcmp(kind, "bytes") ? "B" : "");
	fig_begin_named(gp, "sweep-", stem, "-time", 640, 360);
	fprintf(gp, "set logscale xy\nset key %s\n%s"
	        "set format y '%%.0s %%c%s'\nset ylabel 'time per iteration'\nset offsets graph 0.05, graph 0.05, 0, 0\n"
	        "plot 'sweep-%s.dat' using 1:2:3:4 with yerrorlines pt 7 lw 2 lc rgb '#1f77b4' "
	        "notitle", fit_of(pt, n, fit, sizeof fit) ? "top left noenhanced" : "off", xlabel,
	        u.name, stem);
	if (fit[0])  /* the complexity fit's curve, as the console states it */
		fprintf(gp, ", %s with lines dt 2 lw 2 lc rgb '#d62728'", fit);
	fputc('\n', gp);
	if (rate) {
		fig_begin_named(gp, "sweep-", stem, "-rate", 640, 360);
		fprintf(gp, "set logscale x\nset key off\n%s"
		        "set yrange [0:*]\nset format y '%%g'\nset ylabel 'throughput (%s%s/s)'\n"
		        "set offsets graph 0.05, graph 0.05, graph 0.05, 0\n"
		        "plot 'sweep-%s.dat' using 1:5 with linespoints pt 7 lw 2 lc rgb '#ff7f0e'\n",
		        xlabel, rprefix, items ? "items" : "B", stem);
	}
	return 0;
}

/* The group box plots and sweeps, each from the first of its set. */
static int plot_sets(FILE *gp, const char *pdir, const struct suite *s)
{
	for (size_t i = 0; i < s->nbenches; i++) {
		const struct bench_result *b = &s->benches[i];
		double x;
		size_t n;
		struct sweep_point *pt;
		int rc = 0;
		if (!b->analysis.done || !b->group)
			continue;
		if (first_of_set(s, i, 0) && plot_group(gp, pdir, s, i) != 0)
			return -1;
		if (!report_plot_sweep_param(b, &x) || !first_of_set(s, i, 1))
			continue;
		if (!(pt = sweep_points(s, i, &n)))
			return -1;
		if (n >= 2)
			rc = plot_sweep(gp, pdir, pt, n);
		free(pt);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Run gnuplot on plots.gp in pdir, its messages into gnuplot.log there. */
static int run_gnuplot(const char *gnuplot, const char *pdir)
{
	int status, fd;
	pid_t pid = fork();

	if (pid < 0) {
		msg_warn("gnuplot", "cannot start: %s; the report has no plots", strerror(errno));
		return 0;
	}
	if (pid == 0) {
		if (chdir(pdir) != 0 || (fd = open("gnuplot.log", O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(gnuplot, "gnuplot", "plots.gp", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 1;
	msg_warn("gnuplot", "failed; some plots are missing (see %s/gnuplot.log)", pdir);
	return 0;
}

int report_plot_make(const char *dir, const struct suite *s, const struct suite *base,
                     const struct history_rows *history)
{
	char gnuplot[4096], pdir[4096], script[4200];
	FILE *gp;
	int rc = 0;

	if (!report_plot_find_gnuplot(gnuplot, sizeof gnuplot)) {
		msg_warn("gnuplot", "not found on PATH: the report has no plots "
		         "(install it: apt-get install gnuplot-nox)");
		return 0;
	}
	snprintf(pdir, sizeof pdir, "%s/%s", dir, REPORT_PLOT_DIR);
	if (mkdir(pdir, 0777) != 0 && errno != EEXIST) {
		msg_error(pdir, "cannot create: %s", strerror(errno));
		return -1;
	}
	snprintf(script, sizeof script, "%s/plots.gp", pdir);
	if (!(gp = fopen(script, "w"))) {
		msg_error(script, "%s", strerror(errno));
		return -1;
	}
	fputs("# Written by benchrun: every figure of the report, run once as\n"
	      "# `gnuplot plots.gp` in this directory.\nset encoding utf8\n", gp);
	for (size_t i = 0; rc == 0 && i < s->nbenches; i++)
		rc = plot_bench(gp, pdir, &s->benches[i], base, history);
	if (rc == 0)
		rc = plot_sets(gp, pdir, s);
	if (fclose(gp) != 0 && rc == 0) {
		msg_error(script, "%s", strerror(errno));
		rc = -1;
	}
	return rc != 0 ? -1 : run_gnuplot(gnuplot, pdir);
}
