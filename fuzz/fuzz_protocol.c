/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the worker-protocol reader: whatever a worker
 * writes on its output fd, protocol_parse must accept it or refuse it with
 * "line N: ..." and leave nothing behind but what protocol_doc_free frees. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct protocol_doc doc;
	char err[256];

	err[0] = '\0';
	if (protocol_parse((const char *)data, size, &doc, err, sizeof err) != 0 &&
	    strncmp(err, "line ", 5) != 0)
		abort();  /* every refusal names its line */
	/* What the harness relies on, whether the parse succeeded or not:
	 * each sample has a counter value per counter record. */
	for (size_t i = 0; i < doc.nbenches; i++) {
		const struct protocol_bench *b = &doc.benches[i];
		if (!b->name || !b->group || !b->function || b->run.nsamples > b->run.cap ||
		    (b->run.nsamples && b->run.nctr != doc.ncounters))
			abort();
	}
	protocol_doc_free(&doc);
	return 0;
}
