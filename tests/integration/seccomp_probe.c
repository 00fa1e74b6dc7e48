/* Calls the system calls Docker's seccomp profile is about, one per argument, and
   prints "<argument> ok" or "<argument> <errno name>" for each. Built static by
   tests/integration/test_seccomp.py (busybox has no keyctl, io_uring or AF_PACKET). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *outcome(long r) {
    static char other[32];
    if (r >= 0)
        return "ok";
    switch (errno) {
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    }
    snprintf(other, sizeof other, "errno%d", errno);
    return other;
}

static long call(const char *what) {
    long r = -1;
    errno = EINVAL;
    if (!strcmp(what, "add_key"))          /* into the session keyring */
        r = syscall(SYS_add_key, "user", "dl-probe", "v", 1, -3);
    else if (!strcmp(what, "keyctl"))      /* KEYCTL_GET_KEYRING_ID of the session's */
        r = syscall(SYS_keyctl, 0, -3, 0);
    else if (!strcmp(what, "io_uring_setup")) {
        char params[120];
        memset(params, 0, sizeof params);
        r = syscall(425, 1, params);
        if (r >= 0) close((int)r);
    } else if (!strncmp(what, "personality=", 12))
        r = syscall(SYS_personality, strtoul(what + 12, NULL, 0));
    else if (!strcmp(what, "userns"))
        r = unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET);
    else if (!strcmp(what, "mount"))
        r = mount("none", "/tmp", "tmpfs", 0, NULL);
    else if (!strcmp(what, "packet")) {
        r = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
        if (r >= 0) close((int)r);
    } else if (!strcmp(what, "vsock")) {
        r = socket(40, SOCK_STREAM, 0);
        if (r >= 0) close((int)r);
    } else if (!strcmp(what, "clone3"))
        r = syscall(435, NULL, 0);
    return r;
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        long r = call(argv[i]);
        printf("%s %s\n", argv[i], outcome(r));
    }
    return 0;
}
