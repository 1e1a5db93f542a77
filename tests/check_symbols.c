/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/symbols.c: this program's own functions, libc
 * and the vDSO resolved from its /proc/self/maps (as a worker would have
 * saved it, also moved elsewhere and cut down to its executable mappings),
 * inline frames, a stripped copy of this program, files that are missing
 * or not ELF, addresses outside every mapping, and the cache. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include "check_main.h"

#include "symbols.h"

extern char **environ;

/* ---- functions to find: noinline and noclone, so each has its own
 * symbol and its address is the code the symbol names ---- */

static volatile int sink;
static volatile uintptr_t seen_ra;

#if __has_attribute(noclone)
#define TESTFN __attribute__((noinline, noclone, used))
#else
#define TESTFN __attribute__((noinline, used))
#endif

/* symtest_alpha's declaration line, for test_source. */
enum { ALPHA_LINE = __LINE__ + 2 };

TESTFN static int symtest_alpha(int n)
{
	int acc = 0;

	for (int i = 0; i < n; i++)
		acc += i * 3 + sink;
	return acc;
}

TESTFN static int symtest_beta(int n)
{
	int acc = 1;

	for (int i = 0; i < n; i++)
		acc = acc * 5 + sink;
	return acc ^ n;
}

/* Records its return address: an address inside whatever called it. */
TESTFN static void symtest_record(void)
{
	seen_ra = (uintptr_t)__builtin_return_address(0);
	__asm__ volatile("" ::: "memory");
}

TESTFN static int symtest_caller(int n)
{
	symtest_record();
	return n + sink;  /* work after the call: not a tail call */
}

static inline __attribute__((always_inline)) int symtest_inlined(int n)
{
	symtest_record();
	return n * 7 + sink;
}

TESTFN static int symtest_outer(int n)
{
	return symtest_inlined(n) + 1;
}

/* Two levels: inner inlined into middle, inlined into outer2. */
static inline __attribute__((always_inline)) int symtest_inner2(int n)
{
	symtest_record();
	return n * 11 + sink;
}

static inline __attribute__((always_inline)) int symtest_middle2(int n)
{
	return symtest_inner2(n + sink) * 3;
}

TESTFN static int symtest_outer2(int n)
{
	return symtest_middle2(n) - 1;
}

/* ---- this process's memory map, as the worker saves its own ---- */

struct maps {
	struct symbols_map *v;
	size_t n;
};

/* The file-backed mappings of /proc/self/maps, plus "[vdso]". */
static struct maps maps_read(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	struct maps m = {NULL, 0};
	char line[PATH_MAX + 128];

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f)) {
		unsigned long long start, end, offset;
		int pos = 0;
		char *path;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %n", &start, &end, &offset, &pos) != 3
		    || pos == 0)
			continue;
		path = line + pos;
		if (path[0] != '/' && strcmp(path, "[vdso]") != 0)
			continue;
		m.v = realloc(m.v, (m.n + 1) * sizeof *m.v);
		ck_assert_ptr_nonnull(m.v);
		m.v[m.n].start = start;
		m.v[m.n].end = end;
		m.v[m.n].offset = offset;
		m.v[m.n].path = strdup(path);
		ck_assert_ptr_nonnull(m.v[m.n].path);
		m.n++;
	}
	fclose(f);
	ck_assert_uint_gt(m.n, 0);
	return m;
}

static void maps_free(struct maps *m)
{
	for (size_t i = 0; i < m->n; i++)
		free((char *)m->v[i].path);
	free(m->v);
}

/* The mapping that holds addr. */
static const struct symbols_map *maps_find(const struct maps *m, uintptr_t addr)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].start <= addr && addr < m->v[i].end)
			return &m->v[i];
	ck_abort_msg("no mapping holds %#" PRIxPTR, addr);
	return NULL;
}

static struct symbols *create(const struct symbols_map *v, size_t n)
{
	char err[256] = "";
	struct symbols *s = symbols_create(v, n, err, sizeof err);

	ck_assert_msg(s != NULL, "symbols_create: %s", err);
	return s;
}

/* The one name at (ip, is_return), asserting there is exactly one. */
static const char *one_name(struct symbols *s, uintptr_t ip, int is_return)
{
	const char *out[8] = {NULL};
	size_t n = symbols_resolve(s, ip, is_return, out, 8);

	ck_assert_msg(n == 1, "%#" PRIxPTR ": %zu names, first %s", ip, n, out[0]);
	ck_assert_ptr_nonnull(out[0]);
	return out[0];
}

/* "base+0x..." as symbols_resolve names an address it has no symbol for. */
static char *offset_name(const struct symbols_map *m, uintptr_t ip)
{
	const char *slash = strrchr(m->path, '/');

	return check_asprintf("%s+0x%" PRIx64, slash ? slash + 1 : m->path,
	                      (uint64_t)ip - m->start + m->offset);
}

static uintptr_t fn_addr(int (*fn)(int))
{
	return (uintptr_t)fn;
}

/* ---- tests ---- */

/* The load bias from program headers, against a real layout: Debian 12's
 * /usr/bin/cat (readelf -l) and the maps of a running cat.  Its RW segment
 * starts in the page where its read-only one ends, with vaddr - offset a
 * page larger, so file page 0x9000 is mapped twice. */
START_TEST(test_load_bias)
{
	static const struct symbols_segment cat[] = {
		{0x0, 0x0, 0x1720}, {0x2000, 0x2000, 0x4da9},
		{0x7000, 0x7000, 0x20e8}, {0xac30, 0x9c30, 0x650},
	};
	static const struct { uint64_t start, offset; } maps[] = {
		{0x55d21d4fb000, 0x0}, {0x55d21d4fd000, 0x2000},
		{0x55d21d502000, 0x7000}, {0x55d21d505000, 0x9000},
		{0x55d21d506000, 0xa000},
	};
	static const struct symbols_segment exec[] = {{0x400000, 0x0, 0x5000}};
	uint64_t bias;

	for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
		bias = 0;
		ck_assert_int_eq(symbols_load_bias(cat, 4, maps[i].start, maps[i].offset, 4096, &bias), 0);
		ck_assert_msg(bias == 0x55d21d4fb000, "mapping %zu: bias %#" PRIx64, i, bias);
	}
	ck_assert_int_eq(symbols_load_bias(cat, 4, 0x55d21d507000, 0xb000, 4096, &bias), -1);
	ck_assert_int_eq(symbols_load_bias(cat, 0, 0x55d21d4fb000, 0, 4096, &bias), -1);
	/* A non-PIE executable sits where it was linked: bias 0. */
	ck_assert_int_eq(symbols_load_bias(exec, 1, 0x400000, 0, 4096, &bias), 0);
	ck_assert_uint_eq(bias, 0);
}
END_TEST

/* An address at the start of each function, inside it, and a return
 * address inside it (looked up one byte back). */
START_TEST(test_own_functions)
{
	struct maps m = maps_read();
	struct symbols *s = create(m.v, m.n);
	uintptr_t a = fn_addr(symtest_alpha), b = fn_addr(symtest_beta);

	ck_assert_str_eq(one_name(s, a, 0), "symtest_alpha");
	ck_assert_str_eq(one_name(s, a + 4, 0), "symtest_alpha");
	ck_assert_str_eq(one_name(s, b + 5, 1), "symtest_beta");
	ck_assert_str_eq(one_name(s, b + 4, 0), "symtest_beta");
	/* A return address at a function's first byte came from a call that
	 * ended the code before it: it is not that function. */
	ck_assert_str_ne(one_name(s, b, 1), "symtest_beta");

	symtest_caller(1);
	ck_assert_str_eq(one_name(s, seen_ra, 1), "symtest_caller");
	symbols_free(s);
	maps_free(&m);
}
END_TEST

/* Where DWARF declares a resolved function: this file and the line of
 * symtest_alpha; an inlined function's own declaration; a name nothing
 * resolved, or one without DWARF: none. */
START_TEST(test_source)
{
	struct maps m = maps_read();
	struct symbols *s = create(m.v, m.n);
	const char *file = NULL, *out[8];
	const char *alpha = one_name(s, fn_addr(symtest_alpha) + 4, 0);
	int line = 0;
	size_t n;

	ck_assert_int_eq(symbols_source(s, alpha, &file, &line), 1);
	ck_assert_msg(strstr(file, "check_symbols.c") != NULL, "%s", file);
	ck_assert_int_eq(line, ALPHA_LINE);
	symtest_outer(2);
	n = symbols_resolve(s, seen_ra, 1, out, 8);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(symbols_source(s, out[0], &file, &line), 1);  /* symtest_inlined */
	ck_assert_msg(strstr(file, "check_symbols.c") != NULL, "%s", file);
	ck_assert_int_gt(line, ALPHA_LINE);
	ck_assert_int_eq(symbols_source(s, "symtest_alpha", &file, &line), 0);  /* not interned */
	symbols_free(s);
	maps_free(&m);
}
END_TEST

/* libc, through a symbol the dynamic linker resolved: a name, not an
 * offset.  Which alias comes back depends on libc's build and on whether
 * its debug symbols are installed (Debian 12 with libc6-dbg: "__getpid";
 * without: "getpid"), so only its form is checked. */
START_TEST(test_libc)
{
	struct maps m = maps_read();
	struct symbols *s = create(m.v, m.n);
	uintptr_t ip = (uintptr_t)dlsym(RTLD_DEFAULT, "getpid");
	const char *name;
	void *libc;

	ck_assert_msg(ip != 0, "dlsym: %s", dlerror());
	ck_assert_ptr_nonnull(strstr(maps_find(&m, ip)->path, "libc"));
	name = one_name(s, ip + 1, 0);
	ck_assert_str_ne(name, "");
	ck_assert_msg(strstr(name, "+0x") == NULL && strcmp(name, "[unknown]") != 0,
	              "libc's getpid came out as %s", name);
	ck_assert_ptr_nonnull(strstr(name, "getpid"));
	/* Equal aliases (glibc's printf and _IO_printf, both global and the
	 * same size): the public-looking one. */
	/* From libc itself: under --enable-asan the first printf and
	 * pthread_create are ASan's interceptors. */
	ck_assert_ptr_nonnull(libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD));
	ip = (uintptr_t)dlsym(libc, "printf");
	ck_assert_uint_ne(ip, 0);
	ck_assert_str_eq(one_name(s, ip + 1, 0), "printf");
	/* Without its version: with libc6-dbg, libc's .symtab calls it
	 * "pthread_create@@GLIBC_2.34". */
	ip = (uintptr_t)dlsym(libc, "pthread_create");
	ck_assert_uint_ne(ip, 0);
	ck_assert_str_eq(one_name(s, ip + 1, 0), "pthread_create");
	dlclose(libc);
	symbols_free(s);
	maps_free(&m);
}
END_TEST

/* Whether the ELF file at path is position-independent (ET_DYN). */
static int is_pie(const char *path)
{
	unsigned char ident[EI_NIDENT + 2];
	FILE *f = fopen(path, "rb");
	size_t got;

	ck_assert_ptr_nonnull(f);
	got = fread(ident, 1, sizeof ident, f);
	fclose(f);
	ck_assert_uint_eq(got, sizeof ident);
	/* e_type follows e_ident, in the file's byte order. */
	return (ident[EI_DATA] == ELFDATA2LSB ? ident[EI_NIDENT] : ident[EI_NIDENT + 1]) == ET_DYN;
}

/* The worker's map is not ours: the same files loaded elsewhere.  Moving
 * every mapping by the same distance must move the answers with it.  (A
 * non-PIE executable cannot be loaded elsewhere: it stays.) */
START_TEST(test_moved_map)
{
	const uint64_t delta = 0x10000000000;
	struct maps m = maps_read();
	struct symbols *s;
	uintptr_t a = fn_addr(symtest_alpha), g = (uintptr_t)dlsym(RTLD_DEFAULT, "getpid");
	const char *exe = maps_find(&m, a)->path;
	uint64_t exe_delta = is_pie(exe) ? delta : 0;

	for (size_t i = 0; i < m.n; i++) {
		uint64_t d = strcmp(m.v[i].path, exe) == 0 ? exe_delta : delta;
		m.v[i].start += d;
		m.v[i].end += d;
	}
	s = create(m.v, m.n);
	ck_assert_str_eq(one_name(s, a + 4 + exe_delta, 0), "symtest_alpha");
	ck_assert_ptr_nonnull(strstr(one_name(s, g + 1 + delta, 0), "getpid"));
	ck_assert_str_eq(one_name(s, g + 1, 0), "[unknown]");
	symbols_free(s);
	maps_free(&m);
}
END_TEST

/* Only the executable mappings, whose file offsets are not 0 (libc's text
 * starts at 0x26000 on Debian 12): the bias must come from the ELF's
 * program headers, not from "start - offset" alone. */
START_TEST(test_text_mappings_only)
{
	struct maps m = maps_read();
	uintptr_t a = fn_addr(symtest_alpha), g = (uintptr_t)dlsym(RTLD_DEFAULT, "getpid");
	struct symbols_map v[2] = {*maps_find(&m, a), *maps_find(&m, g)};
	struct symbols *s;

	ck_assert_uint_ne(v[1].offset, 0);
	s = create(v, 2);
	ck_assert_str_eq(one_name(s, a + 4, 0), "symtest_alpha");
	ck_assert_ptr_nonnull(strstr(one_name(s, g + 1, 0), "getpid"));
	symbols_free(s);
	maps_free(&m);
}
END_TEST

/* A return address from code inlined into symtest_outer: the inlined
 * function first, then the one it was inlined into. */
START_TEST(test_inline_frames)
{
	struct maps m = maps_read();
	struct symbols *s = create(m.v, m.n);
	const char *out[8];
	size_t n;

	symtest_outer(2);
	n = symbols_resolve(s, seen_ra, 1, out, 8);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out[0], "symtest_inlined");
	ck_assert_str_eq(out[1], "symtest_outer");

	/* max cuts the list from the outside: the innermost frame stays. */
	n = symbols_resolve(s, seen_ra, 1, out, 1);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(out[0], "symtest_inlined");
	ck_assert_uint_eq(symbols_resolve(s, seen_ra, 1, out, 0), 0);

	symtest_outer2(2);
	n = symbols_resolve(s, seen_ra, 1, out, 8);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(out[0], "symtest_inner2");
	ck_assert_str_eq(out[1], "symtest_middle2");
	ck_assert_str_eq(out[2], "symtest_outer2");
	symbols_free(s);
	maps_free(&m);
}
END_TEST

static char tmpdir[PATH_MAX];

static void tmp_setup(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/check_symbols.XXXXXX",
	         base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static void tmp_teardown(void)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void run(char *const argv[])
{
	pid_t pid;
	int status;

	ck_assert_int_eq(posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s failed", argv[0]);
}

/* A stripped copy of this program in place of it: no .symtab, no DWARF,
 * and a PIE exports nothing in .dynsym, so module+offset. */
START_TEST(test_stripped)
{
	struct maps m = maps_read();
	uintptr_t a = fn_addr(symtest_alpha);
	const char *exe = maps_find(&m, a)->path, *slash = strrchr(exe, '/');
	char *copy = check_asprintf("%s/%s", tmpdir, slash + 1), *want;
	struct symbols_map *v = calloc(m.n, sizeof *v);
	struct symbols *s;

	ck_assert_ptr_nonnull(v);
	run((char *[]){"cp", (char *)exe, copy, NULL});
	run((char *[]){"strip", copy, NULL});
	for (size_t i = 0; i < m.n; i++) {
		v[i] = m.v[i];
		if (strcmp(m.v[i].path, exe) == 0)
			v[i].path = copy;
	}
	s = create(v, m.n);
	want = offset_name(maps_find(&m, a), a + 4);
	ck_assert_str_eq(one_name(s, a + 4, 0), want);
	ck_assert_str_eq(one_name(s, a + 4, 1), want);
	/* libc is untouched */
	ck_assert_ptr_nonnull(strstr(one_name(s, (uintptr_t)dlsym(RTLD_DEFAULT, "getpid") + 1, 0),
	                             "getpid"));
	symbols_free(s);
	free(want);
	free(v);
	free(copy);
	maps_free(&m);
}
END_TEST

/* A copy of this program without .debug_aranges, as clang builds by
 * default: libdw 0.188 then cannot find a CU by address on its own, and
 * the inline frames must still be found. */
START_TEST(test_no_aranges)
{
	struct maps m = maps_read();
	uintptr_t a = fn_addr(symtest_alpha);
	const char *exe = maps_find(&m, a)->path, *slash = strrchr(exe, '/');
	char *copy = check_asprintf("%s/%s", tmpdir, slash + 1);
	struct symbols_map *v = calloc(m.n, sizeof *v);
	struct symbols *s;
	const char *out[8];

	ck_assert_ptr_nonnull(v);
	run((char *[]){"objcopy", "--remove-section=.debug_aranges", (char *)exe, copy, NULL});
	for (size_t i = 0; i < m.n; i++) {
		v[i] = m.v[i];
		if (strcmp(m.v[i].path, exe) == 0)
			v[i].path = copy;
	}
	s = create(v, m.n);
	symtest_outer(3);
	ck_assert_uint_eq(symbols_resolve(s, seen_ra, 1, out, 8), 2);
	ck_assert_str_eq(out[0], "symtest_inlined");
	ck_assert_str_eq(out[1], "symtest_outer");
	symbols_free(s);
	free(v);
	free(copy);
	maps_free(&m);
}
END_TEST

/* Files that cannot be read or are not ELF: module+offset, where OFFSET is
 * the file offset of the address; outside every mapping: "[unknown]". */
START_TEST(test_unreadable_and_unknown)
{
	char *text = check_asprintf("%s/notes.txt", tmpdir);
	FILE *f = fopen(text, "w");
	struct symbols_map v[] = {
		{0x10000, 0x20000, 0x3000, "/nonexistent/dir/libgone.so.1"},
		{0x40000, 0x41000, 0, text},
		{0x50000, 0x51000, 0, "[heap]"},
	};
	struct symbols *s;

	ck_assert_ptr_nonnull(f);
	fputs("not an ELF file\n", f);
	ck_assert_int_eq(fclose(f), 0);
	s = create(v, 3);
	ck_assert_str_eq(one_name(s, 0x10010, 0), "libgone.so.1+0x3010");
	ck_assert_str_eq(one_name(s, 0x10010, 1), "libgone.so.1+0x3010");
	ck_assert_str_eq(one_name(s, 0x1ffff, 0), "libgone.so.1+0x12fff");
	/* A return address just past the end: its call is inside. */
	ck_assert_str_eq(one_name(s, 0x20000, 1), "libgone.so.1+0x13000");
	ck_assert_str_eq(one_name(s, 0x20000, 0), "[unknown]");
	ck_assert_str_eq(one_name(s, 0xffff, 0), "[unknown]");
	ck_assert_str_eq(one_name(s, 0x10000, 1), "[unknown]");
	ck_assert_str_eq(one_name(s, 0x40123, 0), "notes.txt+0x123");
	ck_assert_str_eq(one_name(s, 0x50010, 0), "[heap]+0x10");
	ck_assert_str_eq(one_name(s, UINT64_MAX, 0), "[unknown]");
	symbols_free(s);

	/* No maps at all. */
	s = create(NULL, 0);
	ck_assert_str_eq(one_name(s, 0x1234, 0), "[unknown]");
	symbols_free(s);
	free(text);
}
END_TEST

/* Each distinct address is resolved once, and names are interned: the
 * same name is the same pointer, whichever address led to it. */
/* No mappings at all (an empty maps file): every address is unknown.  The
 * empty, NULL array of mappings once went to qsort, which is undefined
 * (its array is declared nonnull); --enable-ubsan aborted here. */
START_TEST(test_no_maps)
{
	struct symbols *s = create(NULL, 0);

	ck_assert_str_eq(one_name(s, 0x401000, 0), "[unknown]");
	ck_assert_str_eq(one_name(s, fn_addr(symtest_alpha), 1), "[unknown]");
	symbols_free(s);
}
END_TEST

START_TEST(test_cache_and_interning)
{
	struct maps m = maps_read();
	struct symbols *s = create(m.v, m.n);
	uintptr_t a = fn_addr(symtest_alpha);
	const char *first = one_name(s, a + 4, 0), *out[4];

	ck_assert_ptr_eq(one_name(s, a + 4, 0), first);
	ck_assert_ptr_eq(one_name(s, a + 5, 1), first);
	ck_assert_ptr_eq(one_name(s, a, 0), first);
	ck_assert_ptr_ne(one_name(s, fn_addr(symtest_beta) + 4, 0), first);

	/* Many more addresses than the table's first size: the early answers
	 * survive its growth. */
	for (uintptr_t i = 0; i < 5000; i++)
		ck_assert_uint_eq(symbols_resolve(s, 0x1000 + 16 * i, (int)(i & 1), out, 4), 1);
	ck_assert_ptr_eq(one_name(s, a + 4, 0), first);
	ck_assert_str_eq(first, "symtest_alpha");
	symbols_free(s);
	maps_free(&m);
}
END_TEST

/* The vDSO has no file; the worker ran on this kernel, so this process's
 * own vDSO image stands in for it.  glibc lists it as "linux-vdso.so.1". */
START_TEST(test_vdso)
{
	struct maps m = maps_read();
	struct symbols *s = create(m.v, m.n);
	void *h = dlopen("linux-vdso.so.1", RTLD_LAZY | RTLD_NOLOAD);
	uintptr_t ip;
	const char *name;

	if (!h) {
		/* no vDSO (valgrind, some sandboxes): nothing to check */
		symbols_free(s);
		maps_free(&m);
		return;
	}
	ip = (uintptr_t)dlsym(h, "__vdso_clock_gettime");
	ck_assert_uint_ne(ip, 0);
	ck_assert_str_eq(maps_find(&m, ip)->path, "[vdso]");
	name = one_name(s, ip + 1, 0);
	ck_assert_msg(strcmp(name, "__vdso_clock_gettime") == 0
	              || strcmp(name, "clock_gettime") == 0, "vDSO: %s", name);
	dlclose(h);
	symbols_free(s);
	maps_free(&m);
}
END_TEST

static Suite *symbols_suite(void)
{
	Suite *s = suite_create("symbols");
	TCase *tc = tcase_create("resolve");
	TCase *files = tcase_create("files");

	/* Loading libc's debug information takes a moment; 30 s catches a hang
	 * with room for valgrind. */
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_load_bias);
	tcase_add_test(tc, test_own_functions);
	tcase_add_test(tc, test_source);
	tcase_add_test(tc, test_libc);
	tcase_add_test(tc, test_moved_map);
	tcase_add_test(tc, test_text_mappings_only);
	tcase_add_test(tc, test_inline_frames);
	tcase_add_test(tc, test_no_maps);
	tcase_add_test(tc, test_cache_and_interning);
	tcase_add_test(tc, test_vdso);
	suite_add_tcase(s, tc);

	tcase_set_timeout(files, 30);
	tcase_add_checked_fixture(files, tmp_setup, tmp_teardown);
	tcase_add_test(files, test_stripped);
	tcase_add_test(files, test_no_aranges);
	tcase_add_test(files, test_unreadable_and_unknown);
	suite_add_tcase(s, files);
	return s;
}

int main(void)
{
	/* Debug information comes from this machine only: with DEBUGINFOD_URLS
	 * set, libdwfl would ask servers for what is not installed. */
	unsetenv("DEBUGINFOD_URLS");
	return check_run_suite(symbols_suite());
}
