/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness as the keepalive selftests use it: a test binary
 * declares its scenarios as the FIXTURE_VARIANT_ADD()s of its fixture, the
 * variant's data saying what the scenario does, and kt_harness_run()
 * runs the one variant that the kt_scenario= word of the kernel command
 * line names (@dflt without one; the VM harness keeps the word from stage
 * to stage), so that one boot runs one scenario. A name no variant has is
 * a failure, not a run of nothing.
 */
#ifndef KT_HARNESS_H
#define KT_HARNESS_H

#include "kselftest_harness.h"
#include "kt_util.h"

/*
 * Keep only the variant @name of each fixture that has variants. 0, or -1
 * when a fixture has none of that name.
 */
static inline int kt_pick_variant(const char *name)
{
	struct __fixture_variant_metadata *v;
	struct __fixture_metadata *f;

	for (f = __fixture_list; f; f = f->next) {
		if (!f->variant)
			continue;
		for (v = f->variant; v && strcmp(v->name, name); v = v->next)
			;
		if (!v) {
			ksft_print_header();
			ksft_print_msg("fixture %s has no scenario \"%s\"; it has:",
				       f->name, name);
			for (v = f->variant; v; v = v->next)
				printf(" %s", v->name);
			printf("\n");
			return -1;
		}
		v->prev = v;
		v->next = NULL;
		f->variant = v;
	}
	return 0;
}

/*
 * The harness's main, on the scenario that kt_scenario= names, or @dflt:
 *
 *	int main(int argc, char **argv)
 *	{
 *		return kt_harness_run(argc, argv, "keep");
 *	}
 */
static inline int kt_harness_run(int argc, char **argv, const char *dflt)
{
	if (kt_pick_variant(kt_scenario(dflt)))
		ksft_exit_fail_msg("unknown scenario\n");
	return test_harness_run(argc, argv);
}

#endif /* KT_HARNESS_H */
