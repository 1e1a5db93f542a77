/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An LD_PRELOAD shim that makes perf_event_open fail with EACCES, as a
 * kernel at perf_event_paranoid 3 (or a seccomp profile) would, and passes
 * every other syscall() on to libc.  It works because libbenchrun opens
 * perf events through libc's syscall() (a PLT call) rather than an inline
 * system call. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef long (*syscall_fn)(long, ...);

/* syscall() takes at most six arguments after the number; reading six
 * longs whatever the call passed is what libc's own wrapper does too (on
 * x86-64 and the other Linux ABIs they travel in registers). */
long syscall(long number, ...)
{
	static syscall_fn real;
	long a[6];
	va_list ap;

	if (number == SYS_perf_event_open) {
		errno = EACCES;
		return -1;
	}
	if (!real && !(real = (syscall_fn)dlsym(RTLD_NEXT, "syscall"))) {
		errno = ENOSYS;
		return -1;
	}
	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
