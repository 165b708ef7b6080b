// The machine's floor for a chat server: what one send() of a small WebSocket frame costs over loopback,
// sent to 100 connections in turn (as a broadcast sends one frame to each member).
// Every server here must pay at least this per delivered frame, so it is the yardstick the benchmark
// figures are read against (docs/BENCHMARKS.md). A reader thread drains the other end. The figure is the
// sending thread's CPU time per send (on loopback the kernel delivers to the receiving socket in the
// sender's call, as it would for a server's send); the whole process's (with the reader) is printed too.
//   cc -O2 -pthread -o /tmp/send-floor bench/send-floor.c && /tmp/send-floor [sends]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SOCKETS 100

static volatile int done;

// the receiving side of every connection, as a load generator's reader would be
static void *drain(void *arg) {
    int ep = *(int *)arg;
    struct epoll_event events[64];
    char buf[65536];
    while (!done) {
        int n = epoll_wait(ep, events, 64, 100);
        for (int i = 0; i < n; i++) {
            while (recv(events[i].data.fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {
            }
        }
    }
    return NULL;
}

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static double thread_cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double wall_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    long sends = argc > 1 ? atol(argv[1]) : 500000;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) || listen(listener, 1) ||
        getsockname(listener, (struct sockaddr *)&addr, &len)) {
        perror("listen");
        return 1;
    }
    int servers[SOCKETS];
    int ep = epoll_create1(0);
    for (int i = 0; i < SOCKETS; i++) {
        int client = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(client, (struct sockaddr *)&addr, sizeof addr)) {
            perror("connect");
            return 1;
        }
        servers[i] = accept(listener, NULL, NULL);
        int one = 1;
        setsockopt(servers[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = client};
        epoll_ctl(ep, EPOLL_CTL_ADD, client, &ev);
    }
    pthread_t reader;
    pthread_create(&reader, NULL, drain, &ep);

    // a chat message as a server frame: 2-byte header + ~100 bytes of HTML
    char frame[102];
    memset(frame, 'x', sizeof frame);
    frame[0] = (char)0x81;
    frame[1] = 100;
    for (long i = 0; i < sends / 10; i++) { // warm the path
        send(servers[i % SOCKETS], frame, sizeof frame, 0);
    }
    double cpu0 = cpu_seconds(), sender0 = thread_cpu_seconds(), wall0 = wall_seconds();
    for (long i = 0; i < sends; i++) {
        // one frame to each member in turn, as a broadcast does: no socket has a write waiting behind it
        if (send(servers[i % SOCKETS], frame, sizeof frame, 0) != sizeof frame) {
            perror("send");
            return 1;
        }
    }
    double sender = thread_cpu_seconds() - sender0, cpu = cpu_seconds() - cpu0, wall = wall_seconds() - wall0;
    done = 1;
    pthread_join(reader, NULL);
    printf("{\"scenario\":\"send-floor\",\"sends\":%ld,\"senderCpuMicrosPerSend\":%.2f,"
           "\"processCpuMicrosPerSend\":%.2f,\"wallMicrosPerSend\":%.2f}\n",
           sends, sender * 1e6 / sends, cpu * 1e6 / sends, wall * 1e6 / sends);
    return 0;
}
