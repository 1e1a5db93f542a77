/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Listing the non-system shared objects of a program through its own
 * dynamic loader ("ld.so --list", what ldd does), and reading sonames with
 * libelf.  The loader's answer is the one that counts: it applies the
 * program's rpath, LD_LIBRARY_PATH and LD_PRELOAD exactly as a run would. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "objects.h"

extern char **environ;

int objects_is_system(const char *path)
{
	static const char *const dirs[] = {
		"/lib/", "/lib32/", "/lib64/", "/libx32/",
		"/usr/lib/", "/usr/lib32/", "/usr/lib64/", "/usr/libx32/",
	};

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (!strncmp(path, dirs[i], strlen(dirs[i])))
			return 1;
	return 0;
}

/* The PT_INTERP of the ELF file at `path` into a new string; NULL for a
 * static program.  *bad is set when the file is no ELF file. */
static char *interpreter(const char *path, int *bad)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *e = NULL;
	char *interp = NULL;
	size_t n = 0;

	*bad = 1;
	elf_version(EV_CURRENT);
	if (fd < 0 || !(e = elf_begin(fd, ELF_C_READ, NULL)) || elf_kind(e) != ELF_K_ELF ||
	    elf_getphdrnum(e, &n) != 0)
		goto out;
	*bad = 0;
	for (size_t i = 0; i < n && !interp; i++) {
		GElf_Phdr ph;
		char *raw;
		size_t size;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		raw = elf_rawfile(e, &size);
		if (raw && ph.p_offset < size && ph.p_filesz <= size - ph.p_offset && ph.p_filesz)
			interp = strndup(raw + ph.p_offset, ph.p_filesz);
	}
out:
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
	return interp;
}

char *objects_soname(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *e = NULL;
	Elf_Scn *scn = NULL;
	char *soname = NULL;

	elf_version(EV_CURRENT);
	if (fd < 0 || !(e = elf_begin(fd, ELF_C_READ, NULL)))
		goto out;
	while (!soname && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC ||
		    !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t k = 0; sh.sh_entsize && k < sh.sh_size / sh.sh_entsize; k++) {
			GElf_Dyn dyn;
			const char *s;
			if (gelf_getdyn(data, (int)k, &dyn) && dyn.d_tag == DT_SONAME &&
			    (s = elf_strptr(e, sh.sh_link, dyn.d_un.d_val)))
				soname = strdup(s);
		}
	}
out:
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
	return soname;
}

/* Run argv with stdout into *text (NUL-terminated, owned); the exit
 * status, or -1 when it could not run. */
static int capture(char *const argv[], char *const envp[], char **text)
{
	posix_spawn_file_actions_t fa;
	size_t len = 0, cap = 4096;
	int p[2], status = -1;
	pid_t pid;
	ssize_t n;

	*text = malloc(cap);
	if (!*text || pipe2(p, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	n = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp ? envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (n != 0) {
		close(p[0]);
		return -1;
	}
	while ((n = read(p[0], *text + len, cap - len - 1)) > 0 || (n < 0 && errno == EINTR)) {
		char *t;
		if (n < 0)
			continue;
		len += (size_t)n;
		if (cap - len < 2 && cap < (1u << 24) && (t = realloc(*text, cap * 2))) {
			*text = t;
			cap *= 2;
		} else if (cap - len < 2) {
			break;
		}
	}
	(*text)[len] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int add(struct object_list *l, const char *path)
{
	struct object *v;

	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].path, path))
			return 0;
	if (!(v = realloc(l->v, (l->n + 1) * sizeof *v)))
		return -1;
	l->v = v;
	v[l->n].path = strdup(path);
	v[l->n].soname = objects_soname(path);
	return v[l->n++].path ? 0 : -1;
}

/* One line of the loader's list: "name => /path (0x...)", "/path (0x...)",
 * or "name => not found".  0, or -1 with *why. */
static int parse_line(char *line, struct object_list *l, char **why)
{
	char *arrow = strstr(line, " => "), *path = line, *end;

	while (*path == '\t' || *path == ' ')
		path++;
	if (arrow)
		path = arrow + 4;
	if (arrow && !strncmp(path, "not found", 9)) {
		*arrow = '\0';
		while (*line == '\t' || *line == ' ')
			line++;
		return asprintf(why, "%s: not found by the loader", line) < 0 ? -1 : -1;
	}
	if (*path != '/')
		return 0;  /* the vDSO and the like: no file */
	if ((end = strstr(path, " (0x")))
		*end = '\0';
	return objects_is_system(path) ? 0 : add(l, path);
}

/* benchrun's environment without LD_PRELOAD (owned array of borrowed
 * strings), or NULL. */
static char **without_preload(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	if (!(env = calloc(n + 1, sizeof *env)))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
			env[k++] = environ[i];
	return env;
}

int objects_list(const char *prog, char *const envp[], struct object_list *out,
                 char **why)
{
	int bad, rc, status;
	char *interp = interpreter(prog, &bad), *text = NULL, *save = NULL, *line, *path;
	char *argv[] = {interp, "--list", NULL, NULL};
	char **own;

	memset(out, 0, sizeof *out);
	*why = NULL;
	if (bad)
		return asprintf(why, "not an ELF program") < 0 ? -1 : -1;
	if (!interp)
		return 0;  /* static: nothing to keep */
	/* The loader looks a bare name up in PATH, as a shell would. */
	if (asprintf(&path, "%s%s", strchr(prog, '/') ? "" : "./", prog) < 0) {
		free(interp);
		return -1;
	}
	argv[2] = path;
	own = envp ? NULL : without_preload();
	status = capture(argv, envp ? envp : own, &text);
	rc = text ? 0 : -1;
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line && rc == 0;
	     line = strtok_r(NULL, "\n", &save))
		rc = parse_line(line, out, why);
	if (rc == 0 && status != 0)
		rc = asprintf(why, "its loader %s could not list its libraries", interp) < 0 ? -1 : -1;
	if (rc != 0)
		objects_free(out);
	free(text);
	free(interp);
	free(own);
	free(path);
	return rc;
}

void objects_free(struct object_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].soname);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}
