/* The lcore map: accepted syntax, each malformed or conflicting map rejected with a message naming
 * the problem, and the automatic assignment balanced. */
#include <errno.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "../../app/vionet-fwd/fwd_lcore_map.h"
#include "test_run_suite.h"

static struct fwd_lcore_map map;
static struct fwd_lcore_env env;
static char err[256];

/* EAL lcores 0..3 (0 the main one), 2 ports with 2 Rx queues each. */
static void env_default(void)
{
	memset(&env, 0, sizeof(env));
	env.main_lcore = 0;
	for (int l = 0; l < 4; l++)
		env.lcore_enabled[l] = true;
	env.nb_ports = 2;
	for (int p = 0; p < 2; p++) {
		env.port_valid[p] = true;
		env.nb_rxq[p] = 2;
	}
}

static int parse(const char *text)
{
	memset(&map, 0, sizeof(map));
	err[0] = '\0';
	return fwd_lcore_map_parse(&map, text, err, sizeof(err));
}

static void test_parse_good(void)
{
	CU_ASSERT_EQUAL(parse("1:0.0,1.0;2:0.1,1.1"), 0);
	CU_ASSERT_EQUAL(map.nb_lcores, 2);
	CU_ASSERT_EQUAL(map.lcores[0].lcore_id, 1);
	CU_ASSERT_EQUAL(map.lcores[0].nb_pairs, 2);
	CU_ASSERT_EQUAL(map.lcores[0].pairs[1].port, 1);
	CU_ASSERT_EQUAL(map.lcores[0].pairs[1].queue, 0);
	CU_ASSERT_EQUAL(map.lcores[1].lcore_id, 2);
	CU_ASSERT_EQUAL(map.lcores[1].pairs[0].queue, 1);
	env_default();
	CU_ASSERT_EQUAL(fwd_lcore_map_check(&map, &env, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(fwd_lcore_map_unpolled(&map, &env, NULL), 0);

	/* appending: a second --lcore-map adds lcores */
	CU_ASSERT_EQUAL(parse("3:1.1"), 0);
	CU_ASSERT_EQUAL(fwd_lcore_map_parse(&map, "1:0.0", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(map.nb_lcores, 2);
}

static void expect_parse_error(const char *text, const char *needle)
{
	CU_ASSERT_EQUAL(parse(text), -EINVAL);
	if (strstr(err, needle) == NULL) {
		fprintf(stderr, "\n  '%s': message '%s' lacks '%s'\n", text, err, needle);
		CU_FAIL("message does not name the problem");
	}
}

static void test_parse_malformed(void)
{
	expect_parse_error("", "empty");
	expect_parse_error("1", "is not LCORE:PORT.QUEUE");
	expect_parse_error("1:", "lcore 1 has no PORT.QUEUE pairs");
	expect_parse_error("1:0", "'0' is not PORT.QUEUE");
	expect_parse_error("1:0.", "bad queue in '0.'");
	expect_parse_error("1:.0", "bad port in '.0'");
	expect_parse_error("1:x.0", "bad port in 'x.0'");
	expect_parse_error("1:0.64", "bad queue in '0.64'");
	expect_parse_error("1:32.0", "bad port in '32.0'");
	expect_parse_error("x:0.0", "bad lcore id");
	expect_parse_error("128:0.0", "bad lcore id");
	expect_parse_error("1:0.0,", "trailing ','");
	expect_parse_error("1:0.0;;2:0.1", "empty lcore entry");
	expect_parse_error("1:0.0;1:0.1", "lcore 1 is listed twice");
	expect_parse_error("1:0.-1", "bad queue");
}

static void expect_check_error(const char *text, const char *needle)
{
	CU_ASSERT_EQUAL_FATAL(parse(text), 0);
	CU_ASSERT_EQUAL(fwd_lcore_map_check(&map, &env, err, sizeof(err)), -EINVAL);
	if (strstr(err, needle) == NULL) {
		fprintf(stderr, "\n  '%s': message '%s' lacks '%s'\n", text, err, needle);
		CU_FAIL("message does not name the problem");
	}
}

static void test_check_conflicts(void)
{
	env_default();
	expect_check_error("1:0.0;2:0.0", "port 0 queue 0 is polled by both lcore 1 and lcore 2");
	expect_check_error("1:0.1,0.1", "lcore 1 lists port 0 queue 1 twice");
	expect_check_error("0:0.0", "lcore 0 is the main lcore");
	expect_check_error("5:0.0", "lcore 5 is not enabled");
	expect_check_error("1:2.0", "port 2, which does not exist");
	expect_check_error("1:1.2", "port 1 queue 2, but the port has 2 Rx queues");
}

static void test_unpolled_queues_reported(void)
{
	struct fwd_pair first;

	env_default();
	CU_ASSERT_EQUAL(parse("1:0.0,1.0"), 0);
	CU_ASSERT_EQUAL(fwd_lcore_map_check(&map, &env, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(fwd_lcore_map_unpolled(&map, &env, &first), 2);
	CU_ASSERT_EQUAL(first.port, 0);
	CU_ASSERT_EQUAL(first.queue, 1);
}

/* Every (port, queue) once, and the lcores' loads differ by at most one pair. */
static void check_balanced(unsigned int expect_lcores, unsigned int total_pairs)
{
	unsigned int seen = 0, min = ~0u, max = 0;

	CU_ASSERT_EQUAL(map.nb_lcores, expect_lcores);
	for (unsigned int i = 0; i < map.nb_lcores; i++) {
		unsigned int n = map.lcores[i].nb_pairs;

		CU_ASSERT_NOT_EQUAL(map.lcores[i].lcore_id, env.main_lcore);
		seen += n;
		min = n < min ? n : min;
		max = n > max ? n : max;
	}
	CU_ASSERT_EQUAL(seen, total_pairs);
	CU_ASSERT(max - min <= 1);
	CU_ASSERT_EQUAL(fwd_lcore_map_check(&map, &env, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(fwd_lcore_map_unpolled(&map, &env, NULL), 0);
}

static void test_auto_balanced(void)
{
	env_default(); /* 3 workers, 4 pairs */
	CU_ASSERT_EQUAL(fwd_lcore_map_auto(&map, &env, err, sizeof(err)), 0);
	check_balanced(3, 4);
	/* queue-major: with one queue per port each port gets its own lcore */
	env.nb_rxq[0] = env.nb_rxq[1] = 1;
	CU_ASSERT_EQUAL(fwd_lcore_map_auto(&map, &env, err, sizeof(err)), 0);
	check_balanced(2, 2);
	CU_ASSERT_EQUAL(map.lcores[0].pairs[0].port, 0);
	CU_ASSERT_EQUAL(map.lcores[1].pairs[0].port, 1);
	/* many queues on few lcores */
	env_default();
	env.lcore_enabled[3] = false;
	env.nb_rxq[0] = 7;
	env.nb_rxq[1] = 4;
	CU_ASSERT_EQUAL(fwd_lcore_map_auto(&map, &env, err, sizeof(err)), 0);
	check_balanced(2, 11);
	/* a main lcore other than 0 */
	env_default();
	env.main_lcore = 3;
	CU_ASSERT_EQUAL(fwd_lcore_map_auto(&map, &env, err, sizeof(err)), 0);
	check_balanced(3, 4);
}

static void test_auto_refuses(void)
{
	env_default();
	for (int l = 1; l < 4; l++)
		env.lcore_enabled[l] = false;
	CU_ASSERT_EQUAL(fwd_lcore_map_auto(&map, &env, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no forwarding lcore"));
	env_default();
	env.nb_ports = 0;
	CU_ASSERT_EQUAL(fwd_lcore_map_auto(&map, &env, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no port"));
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{ "parse: good maps", test_parse_good },
		{ "parse: malformed maps name the problem", test_parse_malformed },
		{ "check: conflicts and bad references", test_check_conflicts },
		{ "unpolled queues reported", test_unpolled_queues_reported },
		{ "auto: every queue once, balanced", test_auto_balanced },
		{ "auto: no worker or no port refused", test_auto_refuses },
		CU_TEST_INFO_NULL,
	};

	return test_run_suite("fwd_lcore_map", tests);
}
