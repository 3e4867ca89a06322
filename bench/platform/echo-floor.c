// echo-floor: how long a latency tail this machine gives ANY server whose
// per-message CPU cost is like the exchange's — without Node, ws or the
// exchange. Used to tell the gateway bench's tail apart from the machine's.
//
//   gcc -O2 -o /tmp/echo-floor bench/platform/echo-floor.c
//   /tmp/echo-floor 20000 6 0 15 25 30      (rate/s, seconds, then burn µs values)
//
// For each burn value it forks a server (one thread, epoll, loopback TCP)
// that answers every 64-byte message with an echo after spending `burn` µs of
// CPU on it, and runs a client like bench/gateway.ts's open loop: 8
// connections, messages due at an even total rate, sent by a spinning thread
// within microseconds of their due time, and each latency measured from the
// DUE time to the echo (no coordinated omission). The first second is warm-up.
// It prints p50/p99/p99.9/max and the server's CPU share: the exchange server
// uses 0.6–0.7 of a core at 20,000 orders/s, so compare rows at that share.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG 64
#define CONNS 8
#define QUEUE 65536 /* in-flight messages per connection; far above what a 20k/s run keeps */

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  return a;
}

static void nodelay_nonblock(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, O_NONBLOCK);
}

/** Echo server: burns `burn` µs of CPU per whole message read, then writes the bytes back. Never returns. */
static void serve(int listener, double burn) {
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  static char buf[65536];
  struct epoll_event evs[64];
  for (;;) {
    int n = epoll_wait(ep, evs, 64, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == listener) {
        int c = accept(listener, 0, 0);
        nodelay_nonblock(c);
        struct epoll_event e = {.events = EPOLLIN, .data.fd = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
        continue;
      }
      ssize_t r = read(fd, buf, sizeof buf);
      if (r <= 0) { close(fd); continue; }
      double t0 = now_us(), work = burn * (double)(r / MSG);
      while (now_us() - t0 < work) {} // the per-message work: wall time, so a descheduled server does not burn longer
      for (ssize_t w = 0; w < r;) {
        ssize_t k = write(fd, buf + w, r - w);
        if (k > 0) w += k;
        else if (errno != EAGAIN) break;
      }
    }
  }
}

/** utime + stime of a process, in clock ticks. */
static long cpu_ticks(pid_t pid) {
  char path[64], line[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t len = fread(line, 1, sizeof line - 1, f);
  fclose(f);
  line[len] = 0;
  char *p = strrchr(line, ')');
  long utime = 0, stime = 0;
  if (p) sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime, &stime);
  return utime + stime;
}

/** One run against a fresh server burning `burn` µs per message. */
static void run(double rate, double secs, double burn) {
  int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in any = loopback(0);
  socklen_t alen = sizeof any;
  if (bind(listener, (void *)&any, sizeof any) || listen(listener, 64) || getsockname(listener, (void *)&any, &alen)) { perror("listen"); exit(1); }
  pid_t server = fork();
  if (server == 0) serve(listener, burn);
  close(listener);

  int fds[CONNS], ep = epoll_create1(0);
  for (int i = 0; i < CONNS; i++) {
    fds[i] = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(ntohs(any.sin_port));
    if (connect(fds[i], (void *)&a, sizeof a)) { perror("connect"); exit(1); }
    nodelay_nonblock(fds[i]);
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
  }
  long total = (long)(rate * secs), warm = (long)rate, sent = 0, got = 0;
  double *due = malloc(sizeof(double) * total), *lat = malloc(sizeof(double) * total);
  static long queue[CONNS][QUEUE];
  long head[CONNS] = {0}, tail[CONNS] = {0}, pending_bytes[CONNS] = {0};
  char msg[MSG], buf[65536];
  memset(msg, 'x', MSG);
  double interval = 1e6 / rate, start = now_us() + 1000;
  long cpu0 = cpu_ticks(server);
  double wall0 = now_us();
  while (got < total) {
    double t = now_us();
    for (; sent < total && start + sent * interval <= t; sent++) {
      int c = sent % CONNS;
      due[sent] = start + sent * interval;
      if (write(fds[c], msg, MSG) != MSG) { perror("write"); exit(1); }
      queue[c][tail[c]++ % QUEUE] = sent;
    }
    struct epoll_event evs[CONNS];
    int n = epoll_wait(ep, evs, CONNS, 0); // spin: never sleep, like the gateway bench's sender
    for (int k = 0; k < n; k++) {
      int c = evs[k].data.u32;
      ssize_t r = read(fds[c], buf, sizeof buf);
      if (r <= 0) continue;
      double t2 = now_us();
      for (pending_bytes[c] += r; pending_bytes[c] >= MSG; pending_bytes[c] -= MSG, got++) {
        long id = queue[c][head[c]++ % QUEUE];
        lat[id] = t2 - due[id];
      }
    }
  }
  double cpu = (double)(cpu_ticks(server) - cpu0) / sysconf(_SC_CLK_TCK) / ((now_us() - wall0) / 1e6);
  kill(server, SIGKILL);
  waitpid(server, 0, 0);
  for (int i = 0; i < CONNS; i++) close(fds[i]);
  close(ep);
  long m = total - warm;
  double *l = lat + warm;
  qsort(l, m, sizeof(double), by_value);
  printf("burn_us=%g rate=%.0f samples=%ld p50_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%.0f server_cpu=%.2f\n",
         burn, rate, m, l[m / 2], l[(long)(m * 0.99)], l[(long)(m * 0.999)], l[m - 1], cpu);
  fflush(stdout);
  free(due);
  free(lat);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s <rate per s> <seconds> <burn µs>...\n", argv[0]);
    return 1;
  }
  double rate = atof(argv[1]), secs = atof(argv[2]);
  if (!(rate > 0) || !(secs > 1)) { fprintf(stderr, "rate must be > 0 and seconds > 1\n"); return 1; }
  for (int i = 3; i < argc; i++) run(rate, secs, atof(argv[i]));
  return 0;
}
