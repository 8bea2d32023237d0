@ Test firmware: sleeps in WFI; each host kick is counted at 0x10000104,
@ cleared and answered on channel 1.
    .syntax unified
    .cpu cortex-m4
    .thumb
    .text
    .global _start
_start:
    .word 0x10008000
    .word reset

    .thumb_func
reset:
    ldr r4, =0x10000100
    ldr r5, =0x4C001000
loop:
    wfi
    ldr r1, [r5, #0]            @ H2F_STATUS
    cmp r1, #0
    beq loop
    ldr r0, [r4, #4]
    adds r0, #1
    str r0, [r4, #4]
    str r1, [r5, #4]            @ H2F_CLEAR
    movs r2, #2
    str r2, [r5, #8]            @ F2H_SET channel 1
    b loop
    .ltorg
