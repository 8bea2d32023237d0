# Helpers that give every captee target the same shape.

# Adds every immediate subfolder of DIR that has a CMakeLists.txt, in name order.
function(captee_add_subdirectories dir)
  file(GLOB children LIST_DIRECTORIES true RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}/${dir}
       ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*)
  list(SORT children)
  foreach(child IN LISTS children)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/${child}/CMakeLists.txt)
      add_subdirectory(${dir}/${child})
    endif()
  endforeach()
endfunction()

# captee_add_layer(NAME <layer> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# Builds library captee_<layer> (alias captee::<layer>), exported for find_package(captee).
function(captee_add_layer)
  cmake_parse_arguments(L "" "NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target captee_${L_NAME})
  add_library(${target} ${L_SOURCES})
  add_library(captee::${L_NAME} ALIAS ${target})
  # $ORIGIN: an installed library finds the captee libraries it needs beside
  # itself, from any prefix (DT_RUNPATH is not inherited from the program).
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${L_NAME} OUTPUT_NAME captee_${L_NAME}
                                             VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
                                             INSTALL_RPATH "$ORIGIN")
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include/captee>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/captee>)
  target_link_libraries(${target} PUBLIC ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS} $<BUILD_INTERFACE:captee_build_flags>)
  install(TARGETS ${target} EXPORT captee-targets
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
endfunction()

# captee_add_tool(NAME <binary> SOURCES ... [DEPS ...])
# Builds build/bin/<binary> and installs it.
function(captee_add_tool)
  cmake_parse_arguments(T "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} captee_build_flags)
  set_target_properties(${T_NAME} PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  install(TARGETS ${T_NAME} EXPORT captee-targets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endfunction()

# captee_add_test(NAME <test> SOURCES ... [DEPS ...] [LABELS ...])
# A GoogleTest executable whose cases are registered with CTest one by one.
function(captee_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main GTest::gmock captee_build_flags)
  set(properties TIMEOUT 120)
  if("tsan" IN_LIST T_LABELS)
    set_property(GLOBAL APPEND PROPERTY CAPTEE_TSAN_TESTS ${T_NAME})
  endif()
  gtest_discover_tests(${T_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES ${properties})
  if(T_LABELS)
    # Labels are set by a file of our own that CTest reads after the
    # discovered tests' own: GoogleTestAddTests writes PROPERTIES unquoted,
    # so a second label passed there would be read as a property name.
    set(label_file "${CMAKE_CURRENT_BINARY_DIR}/${T_NAME}_labels.cmake")
    file(WRITE "${label_file}"
         "if(DEFINED ${T_NAME}_TESTS)\n"
         "  set_tests_properties(\${${T_NAME}_TESTS} PROPERTIES LABELS \"${T_LABELS}\")\n"
         "endif()\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${label_file}")
  endif()
endfunction()

# captee_add_forwarded_run(<test program>)
# Runs a GP test program once more, whole, with CAPTEE_TEEC_DIRECT=0: libteec
# then takes no direct sessions and every call goes through capteed (issue
# 19's fallback), as CTest test <program>.forwarded. CAPTEE_TA2TA_DIRECT=0
# reaches the capteed the test starts, so TA-to-TA calls take capteed's
# sessions too (decision 0028).
function(captee_add_forwarded_run program)
  add_test(NAME ${program}.forwarded COMMAND ${program})
  set_tests_properties(${program}.forwarded PROPERTIES
                       ENVIRONMENT "CAPTEE_TEEC_DIRECT=0;CAPTEE_TA2TA_DIRECT=0"
                       TIMEOUT 600 LABELS forwarded)
endfunction()

# captee_add_supplicant_storage_run(<test program>)
# Runs a test program again with every CapteedProcess keeping trusted storage
# through captee-supplicant (--storage-backend supplicant; the harness starts
# the supplicant on the daemon's temporary directory), as CTest test
# <program>.supplicant.
function(captee_add_supplicant_storage_run program)
  add_dependencies(${program} captee-supplicant)
  add_test(NAME ${program}.supplicant COMMAND ${program})
  set_tests_properties(${program}.supplicant PROPERTIES
                       ENVIRONMENT CAPTEE_TEST_STORAGE_SUPPLICANT=$<TARGET_FILE:captee-supplicant>
                       TIMEOUT 600 LABELS supplicant_storage)
endfunction()

# captee_add_bench(NAME <program> SOURCES ... [DEPS ...])
# A Google Benchmark program; scripts/bench.sh runs every one of them.
function(captee_add_bench)
  cmake_parse_arguments(B "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${B_NAME} ${B_SOURCES})
  target_link_libraries(${B_NAME} PRIVATE ${B_DEPS} benchmark::benchmark captee_build_flags)
  set_property(GLOBAL APPEND PROPERTY CAPTEE_BENCHES ${B_NAME})
endfunction()

# captee_add_fuzzer(NAME <name> SOURCES ... [DEPS ...] CORPUS <dir>)
# Builds fuzz_<name>. With CAPTEE_BUILD_FUZZ (clang) it is a libFuzzer binary;
# otherwise it links fuzz/replay_main.cpp, which runs the corpus files once, so
# every build (including the sanitizer builds) replays the regression corpus.
# Either way CTest runs `fuzz_<name> -runs=0 <corpus>` under the label "fuzz".
function(captee_add_fuzzer)
  cmake_parse_arguments(F "" "NAME;CORPUS" "SOURCES;DEPS" ${ARGN})
  set(target fuzz_${F_NAME})
  if(CAPTEE_BUILD_FUZZ)
    add_executable(${target} ${F_SOURCES})
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(${target} ${F_SOURCES} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cpp)
  endif()
  target_link_libraries(${target} PRIVATE ${F_DEPS} captee_build_flags)
  if(NOT IS_ABSOLUTE "${F_CORPUS}")
    set(F_CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/${F_CORPUS})
  endif()
  add_test(NAME fuzz.${F_NAME}.corpus COMMAND ${target} -runs=0 ${F_CORPUS})
  set_tests_properties(fuzz.${F_NAME}.corpus PROPERTIES LABELS fuzz TIMEOUT 300)
  set_property(GLOBAL APPEND PROPERTY CAPTEE_FUZZERS ${target})
endfunction()

# captee_arm_program(NAME <name> SOURCE <file.S> OUTPUT_DIR <dir>)
# Assembles a bare-metal Thumb-2 test program with the Arm cross toolchain,
# linked at address 0, and flattens it to <dir>/<name>.bin. Adds target
# arm_program_<name>.
function(captee_arm_program)
  cmake_parse_arguments(P "" "NAME;SOURCE;OUTPUT_DIR" "" ${ARGN})
  if(TARGET arm_program_${P_NAME})
    return()
  endif()
  find_program(ARM_GCC arm-none-eabi-gcc REQUIRED)
  find_program(ARM_OBJCOPY arm-none-eabi-objcopy REQUIRED)
  set(elf ${P_OUTPUT_DIR}/${P_NAME}.elf)
  set(bin ${P_OUTPUT_DIR}/${P_NAME}.bin)
  add_custom_command(OUTPUT ${bin}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${P_OUTPUT_DIR}
    COMMAND ${ARM_GCC} -mcpu=cortex-m4 -mthumb -nostdlib -nostartfiles -Wl,-Ttext=0
            -Wl,--build-id=none -o ${elf} ${P_SOURCE}
    COMMAND ${ARM_OBJCOPY} -O binary ${elf} ${bin}
    DEPENDS ${P_SOURCE}
    COMMENT "Assembling Arm test program ${P_NAME}")
  add_custom_target(arm_program_${P_NAME} DEPENDS ${bin})
endfunction()

# captee_arm_firmware(NAME <name> SOURCE <file.S> LINKER_SCRIPT <file.ld>)
# Links a bare-metal Thumb-2 test firmware with its own linker script into
# ${CMAKE_BINARY_DIR}/test-firmware/<name>.elf (the ELF itself, for signing
# and loading tests). Adds target arm_firmware_<name>; sets <name>_ELF in the
# caller's scope to the output path.
function(captee_arm_firmware)
  cmake_parse_arguments(P "" "NAME;SOURCE;LINKER_SCRIPT" "" ${ARGN})
  set(dir ${CMAKE_BINARY_DIR}/test-firmware)
  set(elf ${dir}/${P_NAME}.elf)
  set(${P_NAME}_ELF ${elf} PARENT_SCOPE)
  if(TARGET arm_firmware_${P_NAME})
    return()
  endif()
  find_program(ARM_GCC arm-none-eabi-gcc REQUIRED)
  add_custom_command(OUTPUT ${elf}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ${ARM_GCC} -mcpu=cortex-m4 -mthumb -nostdlib -nostartfiles -Wl,--build-id=none
            -Wl,--no-warn-rwx-segments -T ${P_LINKER_SCRIPT} -o ${elf} ${P_SOURCE}
    DEPENDS ${P_SOURCE} ${P_LINKER_SCRIPT}
    COMMENT "Linking Arm test firmware ${P_NAME}")
  add_custom_target(arm_firmware_${P_NAME} DEPENDS ${elf})
endfunction()

# captee_arm_c_program(NAME <name> SOURCES <files> LINKER_SCRIPT <file.ld>
#                      OUTPUT_DIR <dir>)
# Builds a bare-metal C test program for the Cortex-M4 (hard-float ABI, no
# C library) with its own linker script and flattens it to <dir>/<name>.bin.
# Adds target arm_program_<name>.
function(captee_arm_c_program)
  cmake_parse_arguments(P "" "NAME;LINKER_SCRIPT;OUTPUT_DIR" "SOURCES" ${ARGN})
  if(TARGET arm_program_${P_NAME})
    return()
  endif()
  find_program(ARM_GCC arm-none-eabi-gcc REQUIRED)
  find_program(ARM_OBJCOPY arm-none-eabi-objcopy REQUIRED)
  set(elf ${P_OUTPUT_DIR}/${P_NAME}.elf)
  set(bin ${P_OUTPUT_DIR}/${P_NAME}.bin)
  add_custom_command(OUTPUT ${bin}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${P_OUTPUT_DIR}
    COMMAND ${ARM_GCC} -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os
            -ffreestanding -fno-builtin -nostdlib -Wall -Wextra -Werror -Wl,--build-id=none
            -Wl,--no-warn-rwx-segments -T ${P_LINKER_SCRIPT} -o ${elf} ${P_SOURCES}
    COMMAND ${ARM_OBJCOPY} -O binary -j .isr_vector -j .text ${elf} ${bin}
    DEPENDS ${P_SOURCES} ${P_LINKER_SCRIPT}
    COMMENT "Building Arm test program ${P_NAME}")
  add_custom_target(arm_program_${P_NAME} DEPENDS ${bin})
endfunction()

# Aggregate targets so the sanitizer and fuzz builds compile only what they
# run: `tsan_tests` (every test executable labelled tsan) and `fuzzers`.
function(captee_add_aggregate_targets)
  get_property(tsan_tests GLOBAL PROPERTY CAPTEE_TSAN_TESTS)
  add_custom_target(tsan_tests)
  if(tsan_tests)
    add_dependencies(tsan_tests ${tsan_tests})
  endif()
  get_property(fuzzers GLOBAL PROPERTY CAPTEE_FUZZERS)
  add_custom_target(fuzzers)
  if(fuzzers)
    add_dependencies(fuzzers ${fuzzers})
  endif()
endfunction()
