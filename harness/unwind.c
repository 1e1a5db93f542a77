/* SPDX-License-Identifier: GPL-3.0-or-later */
/* DWARF call chains by libdwfl's unwinder (unwind.h).  One thread state is
 * attached to the symboliser's session once; each sample then becomes that
 * thread's registers and memory in turn: the stack bytes the kernel copied
 * from the stack pointer up, nothing else (a frame whose rule reads memory
 * outside them stops the chain there). */
#define _GNU_SOURCE
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "brproto.h"
#include "proc.h"
#include "unwind.h"

/* Frames kept per chain; deeper stacks are cut (the root side lost). */
#define UNWIND_MAX 256

/* The thread's id in libdwfl's eyes: any, there is only one. */
#define UNWIND_TID 1

struct ctx {
	const struct protocol_ustack *cur;  /* the sample being unwound */
	uint64_t frames[UNWIND_MAX];
	size_t n;
};

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	if (*thread_argp)
		return 0;
	*thread_argp = arg;
	return UNWIND_TID;
}

/* perf_regs' x86-64 numbering as sampled (AX BX CX DX SI DI BP SP IP,
 * R8..R15) into DWARF's (RAX RDX RCX RBX RSI RDI RBP RSP R8..R15 RIP). */
enum { P_AX, P_BX, P_CX, P_DX, P_SI, P_DI, P_BP, P_SP, P_IP, P_R8 };

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	const struct ctx *c = arg;
	uint64_t sp = c->cur->regs[P_SP];

	(void)dwfl;
	if (addr < sp || addr - sp > c->cur->len || c->cur->len - (addr - sp) < sizeof *result)
		return false;
	memcpy(result, c->cur->stack + (addr - sp), sizeof *result);
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	const uint64_t *r = ((const struct ctx *)arg)->cur->regs;
	Dwarf_Word dw[17] = {r[P_AX], r[P_DX], r[P_CX], r[P_BX], r[P_SI], r[P_DI],
	                     r[P_BP], r[P_SP]};

	for (int i = 0; i < 8; i++)
		dw[8 + i] = r[P_R8 + i];
	dw[16] = r[P_IP];
	dwfl_thread_state_register_pc(thread, r[P_IP]);
	return dwfl_thread_state_registers(thread, 0, 17, dw);
}

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct ctx *c = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	c->frames[c->n++] = pc;
	return c->n < UNWIND_MAX ? DWARF_CB_OK : DWARF_CB_ABORT;
}

static const Dwfl_Thread_Callbacks callbacks = {
	.next_thread = next_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

/* Append chain frames[0 .. n) with a count of 1 to raw. */
static int add_chain(struct protocol_profile *raw, const uint64_t *frames, size_t n)
{
	struct profile_chain *t;
	uint64_t *ips;

	if (!(ips = malloc(n * sizeof *ips)))
		return -1;
	if (!(t = realloc(raw->chains, (raw->nchains + 1) * sizeof *t))) {
		free(ips);
		return -1;
	}
	raw->chains = t;
	memcpy(ips, frames, n * sizeof *ips);
	raw->chains[raw->nchains++] = (struct profile_chain){ips, n, 1, 0};
	return 0;
}

int unwind_profile(struct symbols *sym, struct protocol_profile *raw,
                   struct unwind_stats *st, char *err, size_t errlen)
{
	Dwfl *dwfl = symbols_dwfl(sym);
	struct ctx *c;
	double t0 = proc_now_s();

	memset(st, 0, sizeof *st);
#if !defined(__x86_64__)
	snprintf(err, errlen, "DWARF call chains are unwound on x86-64 only");
	return -1;
#endif
	if (!raw->nustacks)
		return 0;
	if (!(c = calloc(1, sizeof *c))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!dwfl_attach_state(dwfl, NULL, UNWIND_TID, &callbacks, c)) {
		snprintf(err, errlen, "libdwfl: %s", dwfl_errmsg(-1));
		free(c);
		return -1;
	}
	for (size_t i = 0; i < raw->nustacks; i++) {
		c->cur = &raw->ustacks[i];
		c->n = 0;
		if (dwfl_getthread_frames(dwfl, UNWIND_TID, frame_cb, c) != 0 && c->n < UNWIND_MAX) {
			/* libdwfl ends every chain with an error: a frame with no CFI
			 * and no caller, the stack's end, or memory outside the copy. */
			if (!st->stopped++)
				snprintf(st->why, sizeof st->why, "%s", dwfl_errmsg(-1));
		}
		if (c->n == 0)
			c->frames[c->n++] = c->cur->regs[P_IP];
		st->frames += c->n;
		st->stack_bytes += c->cur->len;
		st->samples++;
		if (add_chain(raw, c->frames, c->n) != 0) {
			snprintf(err, errlen, "out of memory");
			free(c);
			return -1;
		}
	}
	st->seconds = proc_now_s() - t0;
	free(c);
	return 0;
}
