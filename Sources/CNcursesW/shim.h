// The C side of the ncurses edge. Only TerminalUI imports this module.
//
// Swift 6 cannot use ncurses' mutable globals (stdscr, LINES, COLS, COLORS, cur_term) or its
// macros that are not plain literals (A_BOLD, COLOR_PAIR arithmetic, KEY_F(n), mouse masks),
// so each has a static inline accessor here, prefixed affdesk_.
#ifndef AFFDESK_CNCURSESW_SHIM_H
#define AFFDESK_CNCURSESW_SHIM_H

#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <pthread.h>
#include <wchar.h>
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <ncurses.h>

// MARK: globals

static inline WINDOW *affdesk_stdscr(void) { return stdscr; }
static inline FILE *affdesk_stdout(void) { return stdout; }
static inline FILE *affdesk_stdin(void) { return stdin; }
static inline int affdesk_lines(void) { return LINES; }
static inline int affdesk_cols(void) { return COLS; }
static inline int affdesk_colors(void) { return COLORS; }
static inline int affdesk_color_pairs(void) { return COLOR_PAIRS; }

/// getmaxyx(stdscr): the screen size in cells.
static inline void affdesk_getmaxyx(int *y, int *x) {
    int yy, xx;
    getmaxyx(stdscr, yy, xx);
    *y = yy;
    *x = xx;
}

// MARK: attributes

static inline attr_t affdesk_a_normal(void) { return A_NORMAL; }
static inline attr_t affdesk_a_bold(void) { return A_BOLD; }
static inline attr_t affdesk_a_reverse(void) { return A_REVERSE; }
static inline attr_t affdesk_a_underline(void) { return A_UNDERLINE; }
static inline attr_t affdesk_a_dim(void) { return A_DIM; }
static inline attr_t affdesk_color_pair(int n) { return (attr_t)COLOR_PAIR(n); }

/// Sets stdscr's current attributes and colour pair (what addnwstr draws with).
static inline int affdesk_attr_set(attr_t attrs, short pair) {
    return wattr_set(stdscr, attrs, pair, NULL);
}

// MARK: keys

static inline int affdesk_key_f(int n) { return KEY_F(n); }

/// get_wch on stdscr: returns OK (a character), KEY_CODE_YES (a KEY_* code) or ERR (timeout or
/// error; errno tells which); the value goes to *wch.
static inline int affdesk_get_wch(unsigned int *wch) {
    wint_t w = 0;
    int r = wget_wch(stdscr, &w);
    *wch = (unsigned int)w;
    return r;
}

// MARK: mouse

static inline mmask_t affdesk_all_mouse_events(void) { return ALL_MOUSE_EVENTS; }
static inline mmask_t affdesk_report_mouse_position(void) { return REPORT_MOUSE_POSITION; }
static inline mmask_t affdesk_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t affdesk_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t affdesk_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t affdesk_button1_double_clicked(void) { return BUTTON1_DOUBLE_CLICKED; }
static inline mmask_t affdesk_button3_pressed(void) { return BUTTON3_PRESSED; }
static inline mmask_t affdesk_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t affdesk_button5_pressed(void) { return BUTTON5_PRESSED; }

/// Enables mouse reporting (all button events, plus motion when `motion`); returns the mask
/// the terminal accepted (0: no mouse).
static inline mmask_t affdesk_mousemask(int motion) {
    mmask_t want = ALL_MOUSE_EVENTS | (motion ? REPORT_MOUSE_POSITION : 0);
    return mousemask(want, NULL);
}

static inline void affdesk_mouse_off(void) { mousemask(0, NULL); }

/// getmouse: OK with the cell and the button state, or ERR.
static inline int affdesk_getmouse(int *x, int *y, mmask_t *bstate) {
    MEVENT e;
    if (getmouse(&e) != OK) return ERR;
    *x = e.x;
    *y = e.y;
    *bstate = e.bstate;
    return OK;
}

// MARK: wide-character output

/// Draws `n` wide characters at (y, x) with the current attributes.
static inline int affdesk_mvaddnwstr(int y, int x, const wchar_t *s, int n) {
    return mvwaddnwstr(stdscr, y, x, s, n);
}

/// Draws one cell: a spacing character followed by up to 4 combining characters.
static inline int affdesk_mvadd_cell(int y, int x, const wchar_t *s, attr_t attrs, short pair) {
    cchar_t c;
    if (setcchar(&c, s, attrs, pair, NULL) != OK) return ERR;
    return mvwadd_wch(stdscr, y, x, &c);
}

// MARK: terminal setup

static inline int affdesk_keypad(int on) { return keypad(stdscr, on ? TRUE : FALSE); }
static inline void affdesk_timeout(int ms) { wtimeout(stdscr, ms); }
static inline int affdesk_erase(void) { return werase(stdscr); }
static inline int affdesk_refresh(void) { return wrefresh(stdscr); }
static inline int affdesk_clearok(int on) { return clearok(stdscr, on ? TRUE : FALSE); }
static inline int affdesk_leaveok(int on) { return leaveok(stdscr, on ? TRUE : FALSE); }

/// The terminal's cursor-addressing capability: 1 when usable (present and a string).
static inline int affdesk_has_cup(void) {
    char *s = tigetstr("cup");
    return s != NULL && s != (char *)-1 && s[0] != '\0';
}

/// nl_langinfo(CODESET) of the current locale ("UTF-8", "ANSI_X3.4-1968", ...).
static inline const char *affdesk_codeset(void) { return nl_langinfo(CODESET); }

/// Unblocks every signal in the calling thread. A process started by a parent that blocked
/// signals (some test runners, some supervisors) would otherwise never see SIGWINCH.
static inline int affdesk_unblock_all_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    return pthread_sigmask(SIG_SETMASK, &none, NULL);
}

/// The C library's idea of a character's width in the current locale (what ncurses and most
/// terminals use). Declared here because glibc hides it without _XOPEN_SOURCE.
extern int wcwidth(wchar_t c);
static inline int affdesk_wcwidth(wchar_t c) { return wcwidth(c); }

// MARK: size changes

/// The window size the kernel has for the terminal on `fd` (TIOCGWINSZ): 0 and the rows and
/// columns, or -1 when `fd` is not a terminal.
static inline int affdesk_winsize(int fd, int *rows, int *cols) {
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

static void affdesk_winch_noop(int sig) { (void)sig; }

/// Catches SIGWINCH with a handler that does nothing: the signal then only interrupts a wait
/// for input (get_wch returns ERR with EINTR), and ncurses, which installs its own handler
/// only over the default one, never resizes by itself; the program reads the new size and
/// resizes within its limits. The previous action goes to `old`.
static inline int affdesk_catch_winch(struct sigaction *old) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = affdesk_winch_noop;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGWINCH, &sa, old);
}

/// Puts back the SIGWINCH action `affdesk_catch_winch` replaced.
static inline int affdesk_restore_winch(const struct sigaction *old) {
    return sigaction(SIGWINCH, old, NULL);
}

static inline int affdesk_errno(void) { return errno; }
static inline void affdesk_set_errno(int e) { errno = e; }

#endif
