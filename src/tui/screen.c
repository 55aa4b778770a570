/*
 * screen.c - the screens' loop.  See screen.h.
 */
#include "screen.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "crt.h"
#include "text.h"

void screen_refuse(char *refused, size_t cap, const char *who, const char *why)
{
    if (refused)
        text_copy(refused, cap, why);
    else
        fprintf(stderr, "%s: %s\n", who, why);
}

double screen_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int screen_loop(const ScreenHooks *h)
{
    struct pollfd fds[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
                            {.fd = crt_signal_fd(), .events = POLLIN}};
    nfds_t nfds = fds[1].fd >= 0 ? 2 : 1;
    while (!h->done(h->ctx)) {
        double start = screen_now();
        double due = start + h->frame(h->ctx);
        double left = due - screen_now();
        int pr = poll(fds, nfds, left > 0 ? (int)(left * 1000) + 1 : 0);
        if (pr < 0 && errno != EINTR) return 1;
        int sig = crt_take_signal();
        if (sig) return 128 + sig;
        int ch;
        while (!h->done(h->ctx) && (ch = crt_getch()) != ERR) h->key(h->ctx, ch);
    }
    return 0;
}
