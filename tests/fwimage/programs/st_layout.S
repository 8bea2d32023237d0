@ Test firmware in the two layouts of ST's STM32Cube examples that OP-TEE's
@ signer accepts and captee-sign used to refuse (the linker script decides
@ which): an empty .resource_table section (no table), or a table linked like
@ .data, whose section address is its run-time address in MCU SRAM while its
@ bytes are loaded in RETRAM and copied by the reset handler.
@ At boot it copies .data (and the table, when linked with it) from RETRAM to
@ SRAM, as C start-up code does, then counts at 0x10010000 forever.
    .syntax unified
    .cpu cortex-m4
    .thumb

    .section .isr_vector, "a"
    .word 0x10008000
    .word reset

    .text
    .thumb_func
reset:
    ldr r0, =_sidata
    ldr r1, =_sdata
    ldr r2, =_edata
copy:
    cmp r1, r2
    bhs counted
    ldr r3, [r0], #4
    str r3, [r1], #4
    b copy
counted:
    ldr r4, =0x10010000
spin:
    ldr r0, [r4]
    adds r0, #1
    str r0, [r4]
    b spin
    .ltorg

    .data
greeting:
    .asciz "ST layout"
    .align 2

@ A Linux resource table with one trace buffer. Only the table-in-data
@ script links this section; the empty-table script discards it.
    .section .resource_table, "aw"
    .word 1, 1, 0, 0            @ ver, num, reserved[2]
    .word 20                    @ offset of entry 0
    .word 2                     @ RSC_TRACE
    .word 0x10001000, 256, 0    @ da, len, reserved
    .ascii "trace0"
    .space 26
