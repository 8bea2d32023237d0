@ Test firmware: the fault to take is chosen by the word the host stores at
@ 0x10000200 before boot: 1 undefined instruction, 2 read of unmapped memory,
@ 3 write to 0x00001000 (read-only in the test platform), 4 SVC, 5 BKPT,
@ anything else spins forever. It first marks 0x10000100 to prove it ran.
@ It has no exception handlers (its vectors are 0), so each fault escalates to
@ HardFault, whose vector is not a handler either: the core locks up.
    .syntax unified
    .cpu cortex-m4
    .thumb
    .text
    .global _start
_start:
    .word 0x10008000
    .word reset
    .rept 14                    @ no handlers: every other vector is 0
    .word 0
    .endr

    .thumb_func
reset:
    ldr r4, =0x10000100
    movs r0, #0x5A
    str r0, [r4]
    ldr r1, =0x10000200
    ldr r1, [r1]
    cmp r1, #1
    beq undefined
    cmp r1, #2
    beq unmapped
    cmp r1, #3
    beq readonly
    cmp r1, #4
    beq supervisor
    cmp r1, #5
    beq breakpoint
spin:
    b spin
undefined:
    udf #0
unmapped:
    ldr r0, =0x60000000
    ldr r0, [r0]
    b spin
readonly:
    ldr r0, =0x00001000
    str r1, [r0]
    b spin
supervisor:
    svc #0
    b spin
breakpoint:
    bkpt #0
    b spin
    .ltorg
