/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device configuration reads checked against config_generation (transport/pci's
 * vionet_pci_config_read_stable) over a fake device: a steady one, one that changes once during a
 * read (read again, the second copy is consistent), and one that changes on every read (an error,
 * not a hang). The whole program runs under an alarm: a read that loops forever fails the test.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "transport/pci/transport_pci_config_read.h"
#include "test_run_suite.h"

/* Longer than any bounded read takes; a loop that never ends is ended here. */
#define TEST_ALARM_S 10

static struct {
	uint8_t generation;
	uint8_t config[16];
	unsigned int generation_reads;
	unsigned int byte_reads;
	/* generation reads after which the device changes its configuration (0: never) */
	unsigned int change_after;
	bool change_every_read;
} fake;

static uint8_t
fake_generation(void *ctx)
{
	(void)ctx;
	fake.generation_reads++;
	if (fake.change_every_read ||
	    (fake.change_after != 0 && fake.generation_reads == fake.change_after)) {
		/* a new configuration: the bytes change with the generation */
		fake.generation++;
		for (size_t i = 0; i < sizeof(fake.config); i++)
			fake.config[i] = (uint8_t)(fake.config[i] + 1);
	}
	return fake.generation;
}

static uint8_t
fake_byte(void *ctx, size_t offset)
{
	(void)ctx;
	fake.byte_reads++;
	return fake.config[offset];
}

static const struct vionet_pci_config_access fake_access = {
	.generation = fake_generation,
	.byte = fake_byte,
};

static int
read_stable(size_t offset, void *dst, size_t len)
{
	return vionet_pci_config_read_stable("fake0", &fake_access, offset, dst, len);
}

static void
fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	for (size_t i = 0; i < sizeof(fake.config); i++)
		fake.config[i] = (uint8_t)(0x10 * i);
}

static void
test_steady_device(void)
{
	uint8_t out[4];

	fake_reset();
	CU_ASSERT_EQUAL(read_stable(4, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(memcmp(out, fake.config + 4, sizeof(out)), 0);
	CU_ASSERT_EQUAL(fake.generation_reads, 2);
	CU_ASSERT_EQUAL(fake.byte_reads, 4);
}

/* The change lands between the first generation read and the second: one more round. */
static void
test_change_during_read_reads_again(void)
{
	uint8_t out[6];

	fake_reset();
	fake.change_after = 2;
	CU_ASSERT_EQUAL(read_stable(0, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(memcmp(out, fake.config, sizeof(out)), 0);
	CU_ASSERT_EQUAL(fake.generation_reads, 4);
}

/* 2.5 Device Configuration Space: the driver re-reads until the generation holds; one that never
 * holds is a broken device, answered with -EIO after a bounded number of tries. */
static void
test_never_settling_device_fails(void)
{
	uint8_t out[2];

	fake_reset();
	fake.change_every_read = true;
	CU_ASSERT_EQUAL(read_stable(0, out, sizeof(out)), -EIO);
	CU_ASSERT_EQUAL(fake.generation_reads, 2 * VIONET_PCI_CONFIG_READ_TRIES);
}

static void
on_alarm(int sig)
{
	static const char msg[] = "FAIL: a config read still looping after the test's alarm\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

int
main(void)
{
	static CU_TestInfo tests[] = {
	        {"steady device: one round", test_steady_device},
	        {"a change during the read: read again", test_change_during_read_reads_again},
	        {"a device that never settles: -EIO, no hang", test_never_settling_device_fails},
	        CU_TEST_INFO_NULL,
	};

	signal(SIGALRM, on_alarm);
	alarm(TEST_ALARM_S);
	return test_run_suite("pci_config_read", tests);
}
