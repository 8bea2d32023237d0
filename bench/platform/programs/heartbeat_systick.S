@ Benchmark firmware: tests/platform/programs/heartbeat.S's loop, on the default
@ platform's IPCC, with SysTick interrupting it at 1 kHz of its 209 MHz clock (a
@ reload of 208999 cycles), unless the host stored 1 at 0x10000200 before boot.
@ The handler counts ticks at 0x10000108.
    .syntax unified
    .cpu cortex-m4
    .thumb
    .text
    .global _start
_start:
    .word 0x10008000            @ initial SP
    .word reset                 @ reset vector
    .rept 13
    .word 0                     @ NMI .. PendSV: not used
    .endr
    .word systick               @ SysTick

    .thumb_func
systick:
    ldr r0, =0x10000108
    ldr r1, [r0]
    adds r1, #1
    str r1, [r0]
    bx lr

    .thumb_func
reset:
    ldr r0, =0x10000200
    ldr r0, [r0]
    cmp r0, #1
    beq start                   @ no SysTick
    ldr r0, =0xE000E010         @ SYST_CSR
    ldr r1, =208999
    str r1, [r0, #4]            @ SYST_RVR
    movs r1, #0
    str r1, [r0, #8]            @ SYST_CVR
    movs r1, #7
    str r1, [r0]                @ enable, interrupt, processor clock
start:
    ldr r0, =0x10000000
    adr r1, banner
copy:
    ldrb r2, [r1], #1
    strb r2, [r0], #1
    cmp r2, #0
    bne copy
    ldr r4, =0x10000100         @ heartbeat counter
    ldr r5, =0x4C001000         @ the IPCC (the default platform's mailbox)
loop:
    ldr r0, [r4]
    adds r0, #1
    str r0, [r4]
    ldr r1, [r5, #0x0C]         @ C1TOC2SR: the host's kicks
    cmp r1, #0
    beq loop
    ldr r0, [r4, #4]
    adds r0, #1
    str r0, [r4, #4]            @ kicks seen
    str r1, [r5, #0x18]         @ C2SCR CHnC: clear them
    movs r2, #1
    lsls r2, r2, #16
    str r2, [r5, #0x18]         @ C2SCR CH1S: kick the host on channel 1
    b loop

    .align 2
banner:
    .asciz "heartbeat: up"
    .align 2
    .ltorg
