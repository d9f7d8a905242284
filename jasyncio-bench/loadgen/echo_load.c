/*
 * echo_load: a closed-loop TCP echo client for jasyncio's echo benchmark, for machines without
 * the shared peers harness. One thread, epoll, N persistent connections to 127.0.0.1:PORT; each
 * sends SIZE bytes, waits until SIZE bytes came back, and sends again. After WARM seconds it
 * counts round trips for SECS seconds and prints one line of key=value pairs:
 *   conns=N size=S secs=T roundtrips=R rps=X errors=E
 *
 * usage: echo_load -p PORT [-c CONNS] [-s SIZE] [-d SECS] [-w WARM]
 * build: cc -O2 -o echo_load echo_load.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn { int fd; size_t out, in; };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    int port = 0, n = 1, opt;
    size_t size = 64;
    double secs = 4, warm = 0.5;
    while ((opt = getopt(argc, argv, "p:c:s:d:w:")) != -1) {
        switch (opt) {
        case 'p': port = atoi(optarg); break;
        case 'c': n = atoi(optarg); break;
        case 's': size = (size_t)atol(optarg); break;
        case 'd': secs = atof(optarg); break;
        case 'w': warm = atof(optarg); break;
        default: fprintf(stderr, "usage: echo_load -p PORT [-c CONNS] [-s SIZE] [-d SECS] [-w WARM]\n"); return 2;
        }
    }
    if (port <= 0 || n <= 0 || size == 0) { fprintf(stderr, "echo_load: bad arguments\n"); return 2; }
    char *msg = malloc(size), *sink = malloc(size);
    memset(msg, 'x', size);
    struct conn *cs = calloc((size_t)n, sizeof *cs);
    int ep = epoll_create1(0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("connect"); return 1; }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        cs[i].fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    long count = 0, errors = 0;
    double start = now(), t0 = start + warm, end = t0 + secs;
    int counting = 0;
    for (int i = 0; i < n; i++) {  /* every connection starts with one message in flight */
        if (write(cs[i].fd, msg, size) != (ssize_t)size) errors++;
    }
    struct epoll_event evs[256];
    for (;;) {
        double t = now();
        if (t >= end) break;
        if (!counting && t >= t0) { counting = 1; count = 0; }
        int k = epoll_wait(ep, evs, 256, 100);
        for (int e = 0; e < k; e++) {
            struct conn *c = &cs[evs[e].data.u32];
            ssize_t r = read(c->fd, sink, size - c->in);
            if (r <= 0) {
                if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                errors++;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                continue;
            }
            c->in += (size_t)r;
            if (c->in == size) {  /* the whole echo is back: count it and send the next */
                c->in = 0;
                count++;
                if (write(c->fd, msg, size) != (ssize_t)size) errors++;
            }
        }
    }
    double took = now() - t0;
    printf("conns=%d size=%zu secs=%.3f roundtrips=%ld rps=%.0f errors=%ld\n", n, size, took, count, count / took, errors);
    return errors ? 3 : 0;
}
