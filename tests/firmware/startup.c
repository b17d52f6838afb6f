/* startup.c - bare-metal start for the test images under qemu (tests/firmware/run.sh):
   a two-word vector table, .data copied from its load address, then newlib's _start with
   semihosting (printf reaches the host, main's return value becomes qemu's exit status).
   Peak stack: before main, the PAINT bytes below the current stack pointer (those above
   the heap's top) are filled with a pattern; at exit, above the heap's top then, the
   lowest byte no longer holding it says how deep the stack went (below the frame that
   called main). "at least" when that is the lowest byte watched: the stack reached the
   heap, or the window's end. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PAINT
#define PAINT 8192   /* bytes of stack watched */
#endif
extern char __stack[], __data_start[], __data_end[], __data_load[], __bss_start__[], __bss_end__[];
extern void _start(void);
void reset(void);
void fw_init(void);

/* the vector table: initial stack pointer, reset handler */
static const struct { char *sp; void (*reset)(void); } vectors
    __attribute__((section(".vectors"), used)) = { __stack, reset };

__attribute__((naked, noreturn)) void reset(void)
{
    __asm__ volatile("ldr r0, =__stack\n mov sp, r0\n bl fw_init\n bl _start\n b .\n");
}

void fw_init(void)
{
    if ((uintptr_t)__data_load != (uintptr_t)__data_start)
        memcpy(__data_start, __data_load, (size_t)(__data_end - __data_start));
}

static volatile unsigned char *fw_top;   /* the stack pointer before main */
static volatile unsigned char *fw_low;   /* the lowest byte painted */

void *_sbrk(ptrdiff_t incr);   /* newlib's (librdimon): _sbrk(0) is the heap's top */

static void fw_report(void)
{
    /* below the heap's top the pattern was the heap's to overwrite: watch only above it */
    volatile unsigned char *low = fw_low, *heap = (volatile unsigned char *)_sbrk(0), *p;
    if ((uintptr_t)heap > (uintptr_t)low) low = heap < fw_top ? heap : fw_top;
    for (p = low; p < fw_top && *p == 0xA5; p++) {}
    printf("firmware: peak stack %s%lu bytes (of %lu watched); static RAM (data+bss) %lu bytes\n",
           p == low ? "at least " : "", (unsigned long)(fw_top - p), (unsigned long)(fw_top - low),
           (unsigned long)((__data_end - __data_start) + (__bss_end__ - __bss_start__)));
    /* The byte at the heap's top is the heap's only once malloc moves the top: written
       now, it was the stack, which then ran over the heap. Counted as a failure. Not
       exact either way: a stack that went deep before a later malloc moved the top over
       its old bytes fails too (grow the heap first in such a test), and one that ran
       over the heap but never wrote that one byte passes. */
    if (p == low && low == heap) printf("firmware: the stack reached the heap\n0 passed, 1 failed\n");
}

__attribute__((constructor, noinline)) static void fw_paint(void)
{
    /* stdout's buffer in static RAM, not 1 KiB of heap that newlib would malloc at the
       first printf: the 16 KiB board's heap and stack share what static data leaves */
    static char fw_outbuf[128];
    volatile unsigned char *p, *sp = (volatile unsigned char *)__builtin_frame_address(0);
    setvbuf(stdout, fw_outbuf, _IOLBF, sizeof fw_outbuf);
    fw_top = sp + 64;   /* about where the caller of main keeps its frame */
    fw_low = fw_top - PAINT;
    if ((uintptr_t)fw_low < (uintptr_t)_sbrk(0)) fw_low = (volatile unsigned char *)_sbrk(0);
    for (p = fw_low; p < sp - 32; p++) *p = 0xA5;
    atexit(fw_report);
}
