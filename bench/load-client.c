// Load generator for bench/api.ts, in C as wrk is: the API bench runs client and server on the same
// two cores, and the Node client (load-client.mjs, the fallback when no C compiler is found) took
// about a third of a core at 2,000-3,000 requests/s, CPU the API under test then did not get.
// It does what load-client.mjs does, on the same plan:
//   - `clients` keep-alive HTTP/1.1 connections, each one request at a time, requests written as
//     serialized bytes, a response read by its Content-Length (reconnecting after `connection: close`);
//   - one pass over every GET warm-up request of every route first, then per route its own warm-up
//     requests, then its measured ones; latency runs from writing a request to having read its whole
//     response.
//
// Usage: load-client <port> <plan file>. The plan (written by bench/api.ts):
//   <clients>\n<routes>\n then per route: <id>\n<warm-ups> <requests>\n and that many requests, each
//   <length>\n<bytes>.
// Prints one JSON line: {"<id>":{"latenciesMs":[...],"elapsedMs":n,"statuses":{"200":n}},...}.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  char *data;
  size_t len;
} Req;

typedef struct {
  char id[256];
  int nwarm, nreq;
  Req *warm, *reqs;
} Route;

typedef struct {
  int fd;
  char *buf;
  size_t len, cap;
  double sent;
} Conn;

static int port, epfd, nconns;
static Conn *conns;

static void die(const char *what) {
  fprintf(stderr, "load-client: %s: %s\n", what, strerror(errno));
  exit(1);
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void open_conn(int i) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)i};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
  conns[i].fd = fd;
  conns[i].len = 0;
}

static void send_req(int i, const Req *r) {
  Conn *c = &conns[i];
  c->sent = now_ms();
  size_t off = 0;
  while (off < r->len) {
    ssize_t n = write(c->fd, r->data + off, r->len - off);
    if (n > 0) {
      off += (size_t)n;
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      struct pollfd p = {.fd = c->fd, .events = POLLOUT};
      poll(&p, 1, 1000);
    } else {
      die("write");
    }
  }
}

/** Length of a complete response at the start of c->buf, 0 if incomplete; sets status and closing. */
static size_t complete(Conn *c, int *status, int *closing) {
  char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
  if (end == NULL) return 0;
  size_t head = (size_t)(end - c->buf) + 4;
  *status = atoi(c->buf + 9);
  long body = -1;
  *closing = 0;
  for (char *line = memchr(c->buf, '\n', head); line != NULL && line + 1 < end;
       line = memchr(line + 1, '\n', (size_t)(end - line - 1) + 2)) {
    char *h = line + 1;
    if (strncasecmp(h, "content-length:", 15) == 0) body = strtol(h + 15, NULL, 10);
    if (strncasecmp(h, "connection:", 11) == 0) {
      char *v = h + 11;
      while (*v == ' ') v++;
      if (strncasecmp(v, "close", 5) == 0) *closing = 1;
    }
  }
  if (body < 0) {
    fprintf(stderr, "load-client: a response without Content-Length (status %d)\n", *status);
    exit(1);
  }
  return c->len >= head + (size_t)body ? head + (size_t)body : 0;
}

/** Sends `n` requests over every connection at once, each connection one at a time. */
static void run(Req *const *list, int n, double *lat, int *statuses) {
  int next = 0, done = 0;
  for (int i = 0; i < nconns && next < n; i++) send_req(i, list[next++]);
  struct epoll_event evs[256];
  while (done < n) {
    int k = epoll_wait(epfd, evs, 256, 10000);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) die("no answer for 10 s");
    for (int e = 0; e < k; e++) {
      int i = (int)evs[e].data.u32;
      Conn *c = &conns[i];
      int eof = 0;
      for (;;) {
        if (c->cap - c->len < 65536) {
          c->cap = c->cap * 2 + 65536;
          c->buf = realloc(c->buf, c->cap);
        }
        ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
        if (r > 0) {
          c->len += (size_t)r;
          continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) break;
        eof = 1;
        break;
      }
      int status, closing;
      size_t used = complete(c, &status, &closing);
      if (used == 0) {
        // The connection ended (or failed) before the whole answer came.
        if (eof) {
          errno = ECONNRESET;
          die("the server closed the connection");
        }
        continue;
      }
      if (lat != NULL) {
        lat[done] = now_ms() - c->sent;
        statuses[status >= 0 && status < 600 ? status : 0]++;
      }
      done++;
      memmove(c->buf, c->buf + used, c->len - used);
      c->len -= used;
      if (closing) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        open_conn(i);
      }
      if (next < n) send_req(i, list[next++]);
    }
  }
}

static void read_req(FILE *f, Req *r) {
  if (fscanf(f, "%zu", &r->len) != 1 || fgetc(f) != '\n') die("plan: request length");
  r->data = malloc(r->len);
  if (fread(r->data, 1, r->len, f) != r->len) die("plan: request bytes");
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: load-client <port> <plan file>\n");
    return 2;
  }
  port = atoi(argv[1]);
  FILE *f = fopen(argv[2], "rb");
  if (f == NULL) die("plan");
  int nroutes;
  if (fscanf(f, "%d %d", &nconns, &nroutes) != 2) die("plan: header");
  Route *routes = calloc((size_t)nroutes, sizeof(Route));
  for (int r = 0; r < nroutes; r++) {
    Route *rt = &routes[r];
    if (fscanf(f, " %255s %d %d", rt->id, &rt->nwarm, &rt->nreq) != 3 || fgetc(f) != '\n')
      die("plan: route");
    rt->warm = calloc((size_t)rt->nwarm + 1, sizeof(Req));
    rt->reqs = calloc((size_t)rt->nreq + 1, sizeof(Req));
    for (int i = 0; i < rt->nwarm; i++) read_req(f, &rt->warm[i]);
    for (int i = 0; i < rt->nreq; i++) read_req(f, &rt->reqs[i]);
  }
  fclose(f);

  epfd = epoll_create1(0);
  conns = calloc((size_t)nconns, sizeof(Conn));
  for (int i = 0; i < nconns; i++) open_conn(i);

  // Every read route's GET warm-ups first (POSTs would keep the pipeline busy during later routes).
  int total = 0;
  for (int r = 0; r < nroutes; r++) total += routes[r].nwarm;
  Req **list = calloc((size_t)total + 1, sizeof(Req *));
  int n = 0;
  for (int r = 0; r < nroutes; r++)
    for (int i = 0; i < routes[r].nwarm; i++)
      if (strncmp(routes[r].warm[i].data, "GET ", 4) == 0) list[n++] = &routes[r].warm[i];
  run(list, n, NULL, NULL);
  free(list);

  printf("{");
  for (int r = 0; r < nroutes; r++) {
    Route *rt = &routes[r];
    Req **warm = calloc((size_t)rt->nwarm + 1, sizeof(Req *));
    for (int i = 0; i < rt->nwarm; i++) warm[i] = &rt->warm[i];
    run(warm, rt->nwarm, NULL, NULL);
    free(warm);
    Req **reqs = calloc((size_t)rt->nreq + 1, sizeof(Req *));
    for (int i = 0; i < rt->nreq; i++) reqs[i] = &rt->reqs[i];
    double *lat = calloc((size_t)rt->nreq + 1, sizeof(double));
    int statuses[600] = {0};
    double t = now_ms();
    run(reqs, rt->nreq, lat, statuses);
    double elapsed = now_ms() - t;
    printf("%s\"%s\":{\"latenciesMs\":[", r ? "," : "", rt->id);
    for (int i = 0; i < rt->nreq; i++) printf("%s%.3f", i ? "," : "", lat[i]);
    printf("],\"elapsedMs\":%.3f,\"statuses\":{", elapsed);
    int first = 1;
    for (int s = 0; s < 600; s++)
      if (statuses[s] > 0) {
        printf("%s\"%d\":%d", first ? "" : ",", s, statuses[s]);
        first = 0;
      }
    printf("}}");
    free(reqs);
    free(lat);
  }
  printf("}\n");
  return 0;
}
