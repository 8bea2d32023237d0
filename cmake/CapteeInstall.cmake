# Installs the public headers and a CMake package so outside projects can
# find_package(captee) and link captee::<layer>.
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT captee-targets NAMESPACE captee:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/captee)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/capteeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/capteeConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/captee)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/capteeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/capteeConfig.cmake ${PROJECT_BINARY_DIR}/capteeConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/captee)
# Later layers drop extra CMake modules (e.g. captee_idl()) into cmake/package/.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/cmake/package/ DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/captee
        OPTIONAL)
