/* startup.c - bare-metal start for the test images under qemu (tests/firmware/run.sh):
   a two-word vector table, .data copied from its load address, then newlib's _start with
   semihosting (printf reaches the host, main's return value becomes qemu's exit status).
   Peak stack: before main, the PAINT bytes below the current stack pointer are filled
   with a pattern; at exit, the lowest byte no longer holding it says how deep the stack
   went (below the frame that called main). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PAINT
#define PAINT 8192   /* bytes of stack watched */
#endif
#ifndef HEAP_GAP
#define HEAP_GAP 1024   /* bytes above the static data left to malloc, not painted */
#endif

extern char end[], __stack[], __data_start[], __data_end[], __data_load[], __bss_start__[], __bss_end__[];
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

static void fw_report(void)
{
    volatile unsigned char *p = fw_low;
    while (p < fw_top && *p == 0xA5) p++;
    printf("firmware: peak stack %s%lu bytes (of %lu watched); static RAM (data+bss) %lu bytes\n",
           p == fw_low ? "at least " : "", (unsigned long)(fw_top - p), (unsigned long)(fw_top - fw_low),
           (unsigned long)((__data_end - __data_start) + (__bss_end__ - __bss_start__)));
}

__attribute__((constructor, noinline)) static void fw_paint(void)
{
    volatile unsigned char *p, *sp = (volatile unsigned char *)__builtin_frame_address(0);
    fw_top = sp + 64;   /* about where the caller of main keeps its frame */
    fw_low = fw_top - PAINT;
    if ((uintptr_t)fw_low < (uintptr_t)end + HEAP_GAP) fw_low = (volatile unsigned char *)end + HEAP_GAP;
    for (p = fw_low; p < sp - 32; p++) *p = 0xA5;
    atexit(fw_report);
}
