# The installed tree as a package: the CMake config (imported targets
# accelstrat::accelstrat-rt and accelstrat::accelstrat-rt-static, the
# plugins' paths, a version file) and accelstrat.pc for pkg-config. Both are
# relocatable: they find the prefix from where they were installed, so
# `cmake --install BUILD --prefix DIR` gives a package under DIR.
include(CMakePackageConfigHelpers)

set(AS_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/accelstrat)
install(EXPORT accelstratTargets NAMESPACE accelstrat::
        DESTINATION ${AS_PACKAGE_DIR})

# The plugins, as plugin/CMakeLists.txt installs them (when it is built).
set(AS_PACKAGE_HAS_PLUGIN ${ACCELSTRAT_PLUGIN})
set(AS_PLUGIN_FILE ${CMAKE_INSTALL_LIBDIR}/${CMAKE_SHARED_MODULE_PREFIX}accelstrat${CMAKE_SHARED_MODULE_SUFFIX})
set(AS_PASS_PLUGIN_FILE ${CMAKE_INSTALL_LIBDIR}/${CMAKE_SHARED_MODULE_PREFIX}accelstrat-pass${CMAKE_SHARED_MODULE_SUFFIX})

configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/accelstratConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/accelstratConfig.cmake
  INSTALL_DESTINATION ${AS_PACKAGE_DIR}
  PATH_VARS AS_PLUGIN_FILE AS_PASS_PLUGIN_FILE)
# The soname changes with the major version, so does compatibility.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/package/accelstratConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/accelstratConfig.cmake
              ${PROJECT_BINARY_DIR}/package/accelstratConfigVersion.cmake
        DESTINATION ${AS_PACKAGE_DIR})

# pkg-config: the prefix is two (or, for lib/ARCH, three) folders above the
# .pc file; everything else is relative to it. Libs.private is what the
# archive needs, the same list as the static target's (runtime/CMakeLists.txt).
file(RELATIVE_PATH AS_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
     ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" AS_PC_TO_PREFIX "${AS_PC_TO_PREFIX}")
set(AS_PC_LIBS_PRIVATE "${OpenMP_C_FLAGS} -lm")
foreach(lib ${CMAKE_DL_LIBS})
  string(APPEND AS_PC_LIBS_PRIVATE " -l${lib}")
endforeach()
if(CMAKE_THREAD_LIBS_INIT)
  string(APPEND AS_PC_LIBS_PRIVATE " ${CMAKE_THREAD_LIBS_INIT}")
endif()
set(AS_PC_PLUGIN "")
if(ACCELSTRAT_PLUGIN)
  set(AS_PC_PLUGIN "\${prefix}/${AS_PLUGIN_FILE}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/accelstrat.pc.in
               ${PROJECT_BINARY_DIR}/package/accelstrat.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/package/accelstrat.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
