/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Symbolising an exited worker's sampled addresses: each file of its saved
 * memory map is reported to libdwfl at the load bias it had in the worker,
 * and each distinct (address, is_return) is resolved once, to the inlined
 * functions at that address and the function containing it, then cached
 * with its names interned.
 *
 * libdwfl finds the files, their debug information and their bias; the two
 * lookups are ours.  dwfl_module_addrinfo() scans the whole symbol table on
 * every call (about 150 us per address in libc with its debug symbols), so
 * each module's function symbols are sorted once and searched.  Likewise
 * dwarf_getscopes() walks every top-level DIE of the CU per address (about
 * 100 us in libc), so each CU's functions are listed once with their
 * ranges and only the function holding the address is descended into. */
#define _GNU_SOURCE
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>
#include "symbols.h"
#include "array.h"
#include "hash.h"

/* A vDSO is one or two pages; anything larger is not one. */
#define VDSO_MAX (1u << 20)

/* How far back a lookup looks for a symbol or function that contains the
 * address when the nearest one below it does not (one nested in another,
 * an alternative entry point); nesting is rare and shallow. */
#define NEST_SCAN 32

/* A function symbol, run-time addresses [lo, hi). */
struct fsym {
	uint64_t lo, hi;
	const char *name;     /* dwfl's, valid until dwfl_end() */
	unsigned rank;        /* at equal lo, smaller wins: see sym_rank() */
};

/* One address range of a DWARF function or CU (DWARF addresses). */
struct frange {
	uint64_t lo, hi;
	Dwarf_Die die;
};

struct module {
	Dwfl_Module *mod;
	struct fsym *syms;    /* sorted by lo, one per address */
	size_t nsyms;
	struct frange *cus;   /* CU ranges, sorted by lo, when no aranges */
	size_t ncus;
	Dwarf_Addr dwbias;    /* run-time minus DWARF addresses, for cus */
	int syms_loaded, cus_loaded;
};

struct map {
	uint64_t start, end;  /* addresses in the worker, end exclusive */
	uint64_t offset;      /* file offset of start */
	char *path;
	const char *base;     /* the file's base name, inside path */
	struct module *mod;   /* NULL: no names, module+offset only */
};

/* The functions of one CU, sorted by lo; key is the CU DIE's address. */
struct cu_index {
	const void *key;
	struct frange *v;
	size_t n;
	int built;            /* v holds them */
};

/* A function's declaration: its interned name, file (interned) and line. */
struct source {
	const char *name, *file;
	int line;
};

/* One resolved address; its names are names[first .. first + n). */
struct entry {
	uint64_t ip;
	uint32_t first, n;
	uint8_t is_return, used;
};

struct symbols {
	Dwfl *dwfl;
	struct map *maps;       /* sorted by start */
	size_t nmaps;
	struct module *mods;    /* nmods of them, room for nmaps */
	size_t nmods;
	struct entry *cache;    /* resolved addresses, in the order first seen */
	size_t cache_len, cache_cap;
	struct hash_index cache_ix; /* ... by (ip, is_return) */
	struct cu_index *cus;   /* CU function indexes, in the order first used */
	size_t cus_len, cus_cap;
	struct hash_index cus_ix;   /* ... by the CU DIE's address */
	const char **names;     /* the name lists of all entries, end to end */
	size_t names_len, names_cap;
	char **strs;            /* interned strings, in the order first seen */
	size_t strs_len, strs_cap;
	struct hash_index strs_ix;  /* ... by their text */
	const char *unknown;    /* "[unknown]", interned */
	struct source *srcs;    /* where DWARF declares the functions named */
	size_t srcs_len, srcs_cap;
	struct hash_index srcs_ix;  /* ... by the interned name's address */
	char *vdso;             /* a copy of this process's vDSO image, or NULL */
	size_t vdso_len;        /* bytes */
};

/* ---- interned strings, resolved addresses, CU indexes: each a dense
 * array indexed by hash (hash.h) ---- */

static int same_str(const void *ctx, size_t id, const void *key)
{
	return !strcmp(((const struct symbols *)ctx)->strs[id], key);
}

/* The one copy of str that s owns; NULL when out of memory. */
static const char *intern(struct symbols *s, const char *str)
{
	uint64_t h = hash_fnv1a_str(HASH_FNV_OFFSET, str);
	void *room = array_room(s->strs, &s->strs_cap, s->strs_len, sizeof *s->strs, 256);
	struct hash_slot *slot;

	if (!room)
		return NULL;
	s->strs = room;
	if (hash_index_reserve(&s->strs_ix) != 0)
		return NULL;
	slot = hash_index_probe(&s->strs_ix, h, same_str, s, str);
	if (!slot->id1) {
		if (!(s->strs[s->strs_len] = strdup(str)))
			return NULL;
		hash_index_put(&s->strs_ix, slot, h, s->strs_len++);
	}
	return s->strs[slot->id1 - 1];
}

static int same_entry(const void *ctx, size_t id, const void *key)
{
	const struct entry *a = &((const struct symbols *)ctx)->cache[id], *b = key;

	return a->ip == b->ip && a->is_return == b->is_return;
}

/* The entry for (ip, is_return), used or to be filled; NULL when out of
 * memory.  Valid until the next call. */
static struct entry *cache_find(struct symbols *s, uint64_t ip, int is_return)
{
	struct entry key = {.ip = ip, .is_return = (uint8_t)is_return};
	uint64_t h = ip ^ (uint64_t)is_return << 63;
	void *room = array_room(s->cache, &s->cache_cap, s->cache_len, sizeof *s->cache, 1024);
	struct hash_slot *slot;

	if (!room)
		return NULL;
	s->cache = room;
	if (hash_index_reserve(&s->cache_ix) != 0)
		return NULL;
	slot = hash_index_probe(&s->cache_ix, h, same_entry, s, &key);
	if (!slot->id1) {
		s->cache[s->cache_len] = key;
		hash_index_put(&s->cache_ix, slot, h, s->cache_len++);
	}
	return &s->cache[slot->id1 - 1];
}

static int same_cu(const void *ctx, size_t id, const void *key)
{
	return ((const struct symbols *)ctx)->cus[id].key == key;
}

/* The index of the CU whose DIE is at key, built or to be built; NULL
 * when out of memory.  Valid until the next call. */
static struct cu_index *cus_find(struct symbols *s, const void *key)
{
	uint64_t h = (uint64_t)(uintptr_t)key;
	void *room = array_room(s->cus, &s->cus_cap, s->cus_len, sizeof *s->cus, 64);
	struct hash_slot *slot;

	if (!room)
		return NULL;
	s->cus = room;
	if (hash_index_reserve(&s->cus_ix) != 0)
		return NULL;
	slot = hash_index_probe(&s->cus_ix, h, same_cu, s, key);
	if (!slot->id1) {
		s->cus[s->cus_len] = (struct cu_index){key, NULL, 0, 0};
		hash_index_put(&s->cus_ix, slot, h, s->cus_len++);
	}
	return &s->cus[slot->id1 - 1];
}

static int same_source(const void *ctx, size_t id, const void *key)
{
	return ((const struct symbols *)ctx)->srcs[id].name == key;
}

/* Remember where DWARF declares the function of die, named `name` (an
 * interned string); the first declaration seen stays.  -1 when out of
 * memory; nothing when the DIE says no file. */
static int note_source(struct symbols *s, const char *name, Dwarf_Die *die)
{
	const char *file = dwarf_decl_file(die);
	uint64_t h = (uint64_t)(uintptr_t)name;
	void *room;
	struct hash_slot *slot;
	int line = 0;

	if (!file || !name)
		return 0;
	dwarf_decl_line(die, &line);
	if (!(room = array_room(s->srcs, &s->srcs_cap, s->srcs_len, sizeof *s->srcs, 64)))
		return -1;
	s->srcs = room;
	if (hash_index_reserve(&s->srcs_ix) != 0)
		return -1;
	slot = hash_index_probe(&s->srcs_ix, h, same_source, s, name);
	if (!slot->id1) {
		if (!(file = intern(s, file)))
			return -1;
		s->srcs[s->srcs_len] = (struct source){name, file, line};
		hash_index_put(&s->srcs_ix, slot, h, s->srcs_len++);
	}
	return 0;
}

int symbols_source(const struct symbols *s, const char *name, const char **file, int *line)
{
	long id = hash_index_find(&s->srcs_ix, (uint64_t)(uintptr_t)name, same_source, s, name);

	if (id < 0)
		return 0;
	*file = s->srcs[id].file;
	*line = s->srcs[id].line;
	return 1;
}

static int push_name(struct symbols *s, const char *name)
{
	const char **t = array_room(s->names, &s->names_cap, s->names_len, sizeof *t, 1024);

	if (!t)
		return -1;
	s->names = t;
	s->names[s->names_len++] = name;
	return 0;
}

/* ---- reporting the worker's files to libdwfl ---- */

int symbols_load_bias(const struct symbols_segment *segs, size_t nsegs,
                      uint64_t start, uint64_t offset, uint64_t page_size,
                      uint64_t *bias)
{
	const struct symbols_segment *best = NULL;

	/* A segment's page-aligned file range can overlap its predecessor's
	 * last page (ld packs them: /usr/bin/cat maps file page 0x9000 twice,
	 * as the end of its read-only segment and as the start of its RW one,
	 * whose vaddr - offset is a page more), so a segment that starts on
	 * the mapping's page wins over one that merely covers it. */
	for (size_t i = 0; i < nsegs; i++) {
		uint64_t lo = segs[i].offset & ~(page_size - 1);
		if (lo == offset) {
			best = &segs[i];
			break;
		}
		if (!best && lo < offset && offset < segs[i].offset + segs[i].filesz)
			best = &segs[i];
	}
	if (!best)
		return -1;
	/* start = bias + vaddr + (offset - segment offset) */
	*bias = start - offset - (best->vaddr - best->offset);
	return 0;
}

/* symbols_load_bias() on the PT_LOAD segments of elf. */
static int load_bias(Elf *elf, uint64_t start, uint64_t offset, GElf_Addr *bias)
{
	struct symbols_segment *segs;
	size_t phnum, n = 0;
	uint64_t b;
	int rc = -1;

	if (elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &phnum) != 0
	    || !(segs = calloc(phnum + 1, sizeof *segs)))
		return -1;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			segs[n++] = (struct symbols_segment){ph.p_vaddr, ph.p_offset, ph.p_filesz};
	}
	if (symbols_load_bias(segs, n, start, offset, (uint64_t)sysconf(_SC_PAGESIZE), &b) == 0) {
		*bias = b;
		rc = 0;
	}
	free(segs);
	return rc;
}

/* Report the file of `m`, the lowest mapping of one load of it; NULL when
 * it cannot be read or is not ELF. */
static Dwfl_Module *report_file(struct symbols *s, const struct map *m)
{
	Dwfl_Module *mod = NULL;
	GElf_Addr bias;
	Elf *elf;
	int fd, ok;

	if ((fd = open(m->path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	ok = elf && load_bias(elf, m->start, m->offset, &bias) == 0;
	elf_end(elf);
	/* add_p_vaddr: bias is the load bias, not the first segment's address
	 * (dwfl ignores it for ET_EXEC, whose bias is 0). */
	if (ok)
		mod = dwfl_report_elf(s->dwfl, m->path, m->path, fd, bias, true);
	if (!mod)
		close(fd);  /* on success dwfl owns fd */
	return mod;
}

/* Copy this process's vDSO image: the worker ran on the same kernel, so
 * its vDSO was this one, only mapped elsewhere.  The image's extent is not
 * recorded as such, but the section header table comes last. */
static int vdso_copy(struct symbols *s)
{
	const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)getauxval(AT_SYSINFO_EHDR);
	const ElfW(Phdr) *ph;
	size_t len;

	if (s->vdso)
		return 0;
	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return -1;
	len = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
	for (size_t i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset + ph[i].p_filesz > len)
			len = ph[i].p_offset + ph[i].p_filesz;
	if (len > VDSO_MAX || !(s->vdso = malloc(len)))
		return -1;
	memcpy(s->vdso, eh, len);
	s->vdso_len = len;
	return 0;
}

static Dwfl_Module *report_vdso(struct symbols *s, const struct map *m)
{
	Dwfl_Module *mod;
	void **userdata;

	if (vdso_copy(s) != 0 || m->end - m->start < s->vdso_len)
		return NULL;
	if (!(mod = dwfl_report_module(s->dwfl, m->path, m->start, m->end)))
		return NULL;
	dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
	*userdata = s;
	return mod;
}

/* dwfl's find_elf: only the vDSO, reported without a file, comes here. */
static int find_elf(Dwfl_Module *mod, void **userdata, const char *name,
                    Dwarf_Addr base, char **file_name, Elf **elfp)
{
	struct symbols *s = *userdata;

	(void)mod;
	(void)name;
	(void)base;
	(void)file_name;
	if (s && s->vdso)
		*elfp = elf_memory(s->vdso, s->vdso_len);
	return -1;
}

/* One module per load of a file.  The maps list a load as consecutive
 * mappings of one path at offsets that never fall (two mappings may share
 * a file page: a small library's read-only data and its RW segment both
 * map page 0x2000); a second load (dlmopen) starts again at a lower
 * offset.  The bias comes from the load's first mapping. */
static void report_files(struct symbols *s)
{
	for (size_t i = 0, j; i < s->nmaps; i = j) {
		struct map *m = &s->maps[i];
		Dwfl_Module *mod = NULL;

		for (j = i + 1; j < s->nmaps && strcmp(s->maps[j].path, m->path) == 0
		                && s->maps[j].offset >= s->maps[j - 1].offset; j++)
			;
		if (m->path[0] == '/')
			mod = report_file(s, m);
		else if (strcmp(m->path, "[vdso]") == 0)
			mod = report_vdso(s, m);
		if (!mod)
			continue;
		s->mods[s->nmods].mod = mod;
		for (size_t k = i; k < j; k++)
			s->maps[k].mod = &s->mods[s->nmods];
		s->nmods++;
	}
}

/* qsort for arrays that may be empty: an empty one is often NULL here,
 * and qsort's array must not be NULL even for no elements (glibc declares
 * it nonnull, so the call is undefined; UBSan reports it). */
static void sort_array(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(v, n, size, cmp);
}

static int map_cmp(const void *a, const void *b)
{
	const struct map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int copy_maps(struct symbols *s, const struct symbols_map *maps, size_t nmaps)
{
	if (nmaps && (!(s->maps = calloc(nmaps, sizeof *s->maps))
	              || !(s->mods = calloc(nmaps, sizeof *s->mods))))
		return -1;
	for (size_t i = 0; i < nmaps; i++) {
		struct map *m = &s->maps[s->nmaps];
		const char *slash;

		if (!maps[i].path || maps[i].end <= maps[i].start)
			continue;
		if (!(m->path = strdup(maps[i].path)))
			return -1;
		m->start = maps[i].start;
		m->end = maps[i].end;
		m->offset = maps[i].offset;
		slash = strrchr(m->path, '/');
		m->base = slash && slash[1] ? slash + 1 : m->path;
		s->nmaps++;
	}
	sort_array(s->maps, s->nmaps, sizeof *s->maps, map_cmp);
	return 0;
}

struct symbols *symbols_create(const struct symbols_map *maps, size_t nmaps,
                               char *err, size_t errlen)
{
	/* NULL: libdwfl's default path, which has /usr/lib/debug. */
	static char *debuginfo_path;
	static const Dwfl_Callbacks callbacks = {
		.find_elf = find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.debuginfo_path = &debuginfo_path,
	};
	struct symbols *s;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, errlen, "libelf: %s", elf_errmsg(-1));
		return NULL;
	}
	if (!(s = calloc(1, sizeof *s)) || copy_maps(s, maps, nmaps) != 0
	    || !(s->unknown = intern(s, "[unknown]"))) {
		snprintf(err, errlen, "out of memory");
		symbols_free(s);
		return NULL;
	}
	/* Offline only: with DEBUGINFOD_URLS set, libdwfl would ask a
	 * debuginfod server for every file without local debug info, turning
	 * a lookup into network round trips, or a stall where there is no
	 * network (CI). */
	unsetenv("DEBUGINFOD_URLS");
	if (!(s->dwfl = dwfl_begin(&callbacks))) {
		snprintf(err, errlen, "libdwfl: %s", dwfl_errmsg(-1));
		symbols_free(s);
		return NULL;
	}
	dwfl_report_begin(s->dwfl);
	report_files(s);
	if (dwfl_report_end(s->dwfl, NULL, NULL) != 0) {
		snprintf(err, errlen, "libdwfl: %s", dwfl_errmsg(-1));
		symbols_free(s);
		return NULL;
	}
	return s;
}

struct Dwfl *symbols_dwfl(struct symbols *s)
{
	return s->dwfl;
}

void symbols_free(struct symbols *s)
{
	if (!s)
		return;
	if (s->dwfl)
		dwfl_end(s->dwfl);  /* before the vDSO copy its Elf reads */
	for (size_t i = 0; i < s->nmaps; i++)
		free(s->maps[i].path);
	for (size_t i = 0; i < s->nmods; i++) {
		free(s->mods[i].syms);
		free(s->mods[i].cus);
	}
	for (size_t i = 0; i < s->cus_len; i++)
		free(s->cus[i].v);
	for (size_t i = 0; i < s->strs_len; i++)
		free(s->strs[i]);
	free(s->maps);
	free(s->mods);
	free(s->cache);
	hash_index_free(&s->cache_ix);
	free(s->cus);
	hash_index_free(&s->cus_ix);
	free(s->names);
	free(s->strs);
	hash_index_free(&s->strs_ix);
	free(s->srcs);
	hash_index_free(&s->srcs_ix);
	free(s->vdso);
	free(s);
}

/* ---- function symbols ---- */

/* At one address, which alias names the code: as dwfl_module_addrinfo()
 * would choose, a sized symbol over a label, then global over weak over
 * local (libc: "__getpid" over the weak "getpid"); see fsym_cmp() for
 * ties. */
static unsigned sym_rank(const GElf_Sym *sym)
{
	int bind = GELF_ST_BIND(sym->st_info);

	return (sym->st_size == 0) * 4u
	       + (bind == STB_GLOBAL ? 0u : bind == STB_WEAK ? 1u : 2u);
}

static int fsym_cmp(const void *a, const void *b)
{
	const struct fsym *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	/* Equal standing: the public-looking name ("printf", not
	 * "_IO_printf"), then the shorter, then any, but always the same. */
	if (strspn(x->name, "_") != strspn(y->name, "_"))
		return strspn(x->name, "_") < strspn(y->name, "_") ? -1 : 1;
	if (strlen(x->name) != strlen(y->name))
		return strlen(x->name) < strlen(y->name) ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The end, in run-time addresses, of the section a sizeless symbol is in:
 * a label covers at most the rest of its section. */
static uint64_t section_end(Elf *elf, GElf_Word shndx, Dwarf_Addr bias)
{
	Elf_Scn *scn = elf ? elf_getscn(elf, shndx) : NULL;
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC))
		return 0;
	return sh.sh_addr + sh.sh_size + bias;
}

/* Sort the module's code symbols (.symtab, from the debug file when the
 * file has none, else .dynsym), one per address.  Without symbols, or out
 * of memory, the module simply has none. */
static void load_syms(struct module *m)
{
	int n = dwfl_module_getsymtab(m->mod);
	size_t k = 0;

	m->syms_loaded = 1;
	if (n <= 1 || !(m->syms = malloc((size_t)n * sizeof *m->syms)))
		return;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		GElf_Word shndx;
		Elf *elf;
		Dwarf_Addr bias;
		const char *name = dwfl_module_getsym_info(m->mod, i, &sym, &addr, &shndx, &elf, &bias);
		int type = GELF_ST_TYPE(sym.st_info);

		/* Code only; "$x" and "$d" are Arm's mapping symbols, not names. */
		if (!name || !*name || name[0] == '$' || shndx == SHN_UNDEF || shndx == SHN_ABS
		    || (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE))
			continue;
		m->syms[k].lo = addr;
		m->syms[k].hi = sym.st_size ? addr + sym.st_size : section_end(elf, shndx, bias);
		m->syms[k].name = name;
		m->syms[k].rank = sym_rank(&sym);
		k++;
	}
	sort_array(m->syms, k, sizeof *m->syms, fsym_cmp);
	/* One per address, the best-ranked; a label ends where the next
	 * symbol starts. */
	m->nsyms = 0;
	for (size_t i = 0, j; i < k; i = j) {
		struct fsym f = m->syms[i];
		for (j = i + 1; j < k && m->syms[j].lo == f.lo; j++)
			if (m->syms[j].rank < 4 && m->syms[j].hi > f.hi)
				f.hi = m->syms[j].hi;
		if (f.rank >= 4 && j < k && m->syms[j].lo < f.hi)
			f.hi = m->syms[j].lo;
		m->syms[m->nsyms++] = f;
	}
}

/* The name of the function symbol holding pc, or NULL. */
static const char *module_sym(struct module *m, uint64_t pc)
{
	size_t lo = 0, hi;

	if (!m->syms_loaded)
		load_syms(m);
	for (hi = m->nsyms; lo < hi;) {  /* the first symbol starting above pc */
		size_t mid = lo + (hi - lo) / 2;
		if (m->syms[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i > 0 && lo - i < NEST_SCAN; i--)
		if (pc < m->syms[i - 1].hi)
			return m->syms[i - 1].name;
	return NULL;
}

/* ---- inline frames from DWARF ---- */

/* A function's name as its symbol would give it: the linkage (mangled)
 * name where there is one, through DW_AT_abstract_origin for an inlined
 * instance. */
static const char *die_name(Dwarf_Die *die)
{
	static const unsigned attrs[] = {
		DW_AT_linkage_name, DW_AT_MIPS_linkage_name, DW_AT_name
	};
	Dwarf_Attribute mem;

	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
		const char *n = dwarf_formstring(dwarf_attr_integrate(die, attrs[i], &mem));
		if (n && *n)
			return n;
	}
	return NULL;
}

struct franges {
	struct frange *v;
	size_t n, cap;
};

static int add_ranges(struct franges *f, Dwarf_Die *die)
{
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;

	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
		/* ld resolves the ranges of functions it discarded to 0; no code
		 * of an executable or shared object is at address 0. */
		if (hi <= lo || lo == 0)
			continue;
		struct frange *t = array_room(f->v, &f->cap, f->n, sizeof *t, 64);
		if (!t)
			return -1;
		f->v = t;
		f->v[f->n++] = (struct frange){lo, hi, *die};
	}
	return 0;
}

/* The out-of-line functions under `parent`, which may sit in namespaces
 * and classes (C++).  Functions nested in functions are found later, by
 * the descent. */
static int collect_functions(struct franges *f, Dwarf_Die *parent)
{
	Dwarf_Die die;

	if (dwarf_child(parent, &die) != 0)
		return 0;
	do {
		switch (dwarf_tag(&die)) {
		case DW_TAG_subprogram:
			if (add_ranges(f, &die) != 0)
				return -1;
			break;
		case DW_TAG_namespace: case DW_TAG_class_type:
		case DW_TAG_structure_type: case DW_TAG_union_type: case DW_TAG_module:
			if (collect_functions(f, &die) != 0)
				return -1;
			break;
		}
	} while (dwarf_siblingof(&die, &die) == 0);
	return 0;
}

static int frange_cmp(const void *a, const void *b)
{
	const struct frange *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The CU's function index, built on first use; NULL when out of memory. */
static const struct cu_index *cu_functions(struct symbols *s, Dwarf_Die *cu)
{
	struct cu_index *c = cus_find(s, cu->addr);
	struct franges f = {NULL, 0, 0};

	if (!c || c->built)
		return c;
	if (collect_functions(&f, cu) != 0) {
		free(f.v);
		return NULL;
	}
	sort_array(f.v, f.n, sizeof *f.v, frange_cmp);
	c->v = f.v;
	c->n = f.n;
	c->built = 1;
	return c;
}

/* The range in v[0 .. n) (sorted by lo) holding addr, looking a little
 * below the nearest for one that encloses it; NULL when none does. */
static const struct frange *frange_find(const struct frange *v, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {  /* the first range starting above addr */
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i > 0 && lo - i < NEST_SCAN; i--)
		if (addr < v[i - 1].hi)
			return &v[i - 1];
	return NULL;
}

/* List the module's CUs by their ranges.  libdw 0.188 finds a CU by
 * address only through .debug_aranges, which clang does not emit by
 * default. */
static void load_cus(struct module *m)
{
	struct franges f = {NULL, 0, 0};
	Dwarf_Die *cu = NULL;

	m->cus_loaded = 1;
	while ((cu = dwfl_module_nextcu(m->mod, cu, &m->dwbias)))
		if (add_ranges(&f, cu) != 0)
			break;
	sort_array(f.v, f.n, sizeof *f.v, frange_cmp);
	m->cus = f.v;
	m->ncus = f.n;
}

/* The CU holding the run-time address pc and its bias; NULL when there is
 * no DWARF for pc. */
static Dwarf_Die *module_cu(struct module *m, uint64_t pc, Dwarf_Addr *bias)
{
	Dwarf_Die *cu = dwfl_module_addrdie(m->mod, pc, bias);
	const struct frange *r;

	if (cu)
		return cu;
	if (!m->cus_loaded)
		load_cus(m);
	if (!(r = frange_find(m->cus, m->ncus, pc - m->dwbias)))
		return NULL;
	*bias = m->dwbias;
	return (Dwarf_Die *)&r->die;
}

/* The child of `die` whose code holds addr and may hold functions. */
static int child_at(Dwarf_Die *die, Dwarf_Addr addr, Dwarf_Die *out)
{
	if (dwarf_child(die, out) != 0)
		return 0;
	do {
		switch (dwarf_tag(out)) {
		case DW_TAG_inlined_subroutine: case DW_TAG_lexical_block:
		case DW_TAG_subprogram: case DW_TAG_try_block: case DW_TAG_catch_block:
			if (dwarf_haspc(out, addr) > 0)
				return 1;
		}
	} while (dwarf_siblingof(out, out) == 0);
	return 0;
}

/* Push the names of the functions inlined at addr (a DWARF address in the
 * CU `cu`), innermost first; the name of the function they sit in goes to
 * *outer.  The descent from that function meets the inlined instances
 * outermost first, so the pushed names are reversed at the end.  DWARF
 * that cannot be read gives no inline names, not an error; -1 only when
 * out of memory. */
static int push_inlined(struct symbols *s, Dwarf_Die *cu, Dwarf_Addr addr, const char **outer,
                        Dwarf_Die *outer_die)
{
	const struct cu_index *c = cu_functions(s, cu);
	const struct frange *r;
	size_t first = s->names_len;
	Dwarf_Die fn, die;

	if (!c)
		return -1;
	if (!(r = frange_find(c->v, c->n, addr)))
		return 0;
	fn = die = r->die;
	while (child_at(&die, addr, &die)) {
		const char *name;
		if (dwarf_tag(&die) == DW_TAG_subprogram) {
			fn = die;  /* a nested function: it holds the code */
			s->names_len = first;
		} else if (dwarf_tag(&die) == DW_TAG_inlined_subroutine && (name = die_name(&die))) {
			if (!(name = intern(s, name)) || push_name(s, name) != 0 ||
			    note_source(s, name, &die) != 0)
				return -1;
		}
	}
	for (size_t i = first, j = s->names_len; i + 1 < j; i++, j--) {
		const char *t = s->names[i];
		s->names[i] = s->names[j - 1];
		s->names[j - 1] = t;
	}
	*outer = die_name(&fn);
	*outer_die = fn;
	return 0;
}

/* ---- resolving one address ---- */

static const struct map *map_find(const struct symbols *s, uint64_t pc)
{
	size_t lo = 0, hi = s->nmaps;

	while (lo < hi) {  /* the first map starting above pc */
		size_t mid = lo + (hi - lo) / 2;
		if (s->maps[mid].start <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && pc < s->maps[lo - 1].end ? &s->maps[lo - 1] : NULL;
}

/* Push the inlined frames at pc and set *outer to the containing
 * function's name, from the symbol table, else from DWARF; *outer stays
 * NULL when neither knows it.  A symbol's version goes: libc's .symtab
 * says "pthread_create@@GLIBC_2.34", a profile says "pthread_create".
 * -1 when out of memory. */
static int push_frames(struct symbols *s, struct module *m, uint64_t pc, const char **outer)
{
	const char *sym = module_sym(m, pc), *dw_outer = NULL, *at;
	Dwarf_Addr bias;
	Dwarf_Die *cu, fn;
	char *bare = NULL;

	if ((cu = module_cu(m, pc, &bias))
	    && push_inlined(s, cu, pc - bias, &dw_outer, &fn) != 0)
		return -1;
	if (!sym)
		sym = dw_outer;
	else if ((at = strchr(sym, '@')) && at > sym && !(sym = bare = strndup(sym, (size_t)(at - sym))))
		return -1;
	if (sym && !(*outer = intern(s, sym))) {
		free(bare);
		return -1;
	}
	free(bare);
	/* the function's declaration, under the name the profile shows */
	return dw_outer && *outer ? note_source(s, *outer, &fn) : 0;
}

/* Resolve (ip, is_return) into s->names and fill e; -1 when out of
 * memory, with nothing kept. */
static int describe(struct symbols *s, uint64_t ip, int is_return, struct entry *e)
{
	uint64_t pc = ip - (uint64_t)is_return;
	const struct map *m = map_find(s, pc);
	size_t first = s->names_len;
	const char *outer = NULL;

	if (!m) {
		outer = s->unknown;
	} else {
		char *fallback;
		if (m->mod && push_frames(s, m->mod, pc, &outer) != 0)
			goto oom;
		if (!outer) {
			if (asprintf(&fallback, "%s+0x%" PRIx64, m->base, ip - m->start + m->offset) < 0)
				goto oom;
			outer = intern(s, fallback);
			free(fallback);
			if (!outer)
				goto oom;
		}
	}
	if (push_name(s, outer) != 0 || s->names_len > UINT32_MAX)
		goto oom;
	e->ip = ip;
	e->is_return = (uint8_t)is_return;
	e->first = (uint32_t)first;
	e->n = (uint32_t)(s->names_len - first);
	e->used = 1;
	return 0;
oom:
	s->names_len = first;
	return -1;
}

size_t symbols_resolve(struct symbols *s, uint64_t ip, int is_return,
                       const char **out, size_t max)
{
	struct entry *e;
	size_t n;

	if (max == 0)
		return 0;
	is_return = is_return != 0;
	e = cache_find(s, ip, is_return);
	if (!e || (!e->used && describe(s, ip, is_return, e) != 0)) {
		out[0] = s->unknown;  /* out of memory: degrade, do not fail */
		return 1;
	}
	n = e->n < max ? e->n : max;
	memcpy(out, s->names + e->first, n * sizeof *out);
	return n;
}
