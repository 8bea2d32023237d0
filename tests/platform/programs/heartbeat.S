@ Test firmware: writes a banner, then counts heartbeats at 0x10000100 and
@ answers every host kick: counts it at 0x10000104, clears it, kicks back.
    .syntax unified
    .cpu cortex-m4
    .thumb
    .text
    .global _start
_start:
    .word 0x10008000            @ initial SP
    .word reset                 @ reset vector (Thumb bit set by .thumb_func)

    .thumb_func
reset:
    ldr r0, =0x10000000
    adr r1, banner
copy:
    ldrb r2, [r1], #1
    strb r2, [r0], #1
    cmp r2, #0
    bne copy
    ldr r4, =0x10000100         @ heartbeat counter
    ldr r5, =0x4C001000         @ mailbox
loop:
    ldr r0, [r4]
    adds r0, #1
    str r0, [r4]
    ldr r1, [r5, #0]            @ H2F_STATUS
    cmp r1, #0
    beq loop
    ldr r0, [r4, #4]
    adds r0, #1
    str r0, [r4, #4]            @ kicks seen
    str r1, [r5, #4]            @ H2F_CLEAR
    movs r2, #1
    str r2, [r5, #8]            @ F2H_SET channel 0
    b loop

    .align 2
banner:
    .asciz "heartbeat: up"
    .align 2
    .ltorg
