/* SPDX-License-Identifier: MIT */
/* The --counters list syntax, shared by the worker and benchrun. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "brproto.h"

/* The name of the list entry at p: [*s, *e) without blanks around it. */
static void entry(const char *p, const char **s, const char **e)
{
	*s = p;
	*e = p + strcspn(p, ",");
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

int br__proto_counter_list(const char *list,
                           void (*each)(void *arg, const char *name, size_t len),
                           void *arg, char *err, size_t errlen)
{
	size_t count = 1;

	if (!strcmp(list, "none"))
		return 0;
	for (const char *p = list; *p; p++)
		count += *p == ',';
	/* Counted before anything else, so a list of any length gets the
	 * same one-line answer. */
	if (count > BR__PROTO_COUNTERS_MAX) {
		snprintf(err, errlen, "too many events (%zu; at most %d)", count,
		         BR__PROTO_COUNTERS_MAX);
		return -1;
	}
	for (const char *p = list;; p += strcspn(p, ",") + 1) {
		const char *s, *e;
		entry(p, &s, &e);
		if (s == e) {
			snprintf(err, errlen, "%s (name events, e.g. 'cycles,page-faults', "
			         "or 'none' to count nothing)",
			         count == 1 ? "empty list" : "empty event name in the list");
			return -1;
		}
		if ((size_t)(e - s) >= BR__PROTO_COUNTER_NAME_MAX) {
			snprintf(err, errlen, "event name too long (%zu characters; at most %d)",
			         (size_t)(e - s), BR__PROTO_COUNTER_NAME_MAX - 1);
			return -1;
		}
		/* Twice in one list would be two columns with one name. */
		for (const char *q = list; q < p; q += strcspn(q, ",") + 1) {
			const char *qs, *qe;
			entry(q, &qs, &qe);
			if (qe - qs == e - s && !strncmp(qs, s, (size_t)(e - s))) {
				snprintf(err, errlen, "'%.*s' is listed twice", (int)(e - s), s);
				return -1;
			}
		}
		if (each)
			each(arg, s, (size_t)(e - s));
		if (!p[strcspn(p, ",")])
			return 0;
	}
}
