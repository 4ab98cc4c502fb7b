# `cmake --install`: the citytwin command, every library made by citytwin_add_library (installed there) with
# its public headers, and the CMake package that find_package(citytwin) loads:
#   <prefix>/lib/cmake/citytwin/citytwinConfig.cmake, citytwinConfigVersion.cmake, citytwinTargets.cmake
# Included last from the root CMakeLists.txt, when every library and dependency is known.
include(CMakePackageConfigHelpers)

set(CITYTWIN_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/citytwin)

if(TARGET citytwin)
  install(TARGETS citytwin RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT citytwinTargets NAMESPACE citytwin:: DESTINATION ${CITYTWIN_PACKAGE_DIR})

get_property(citytwin_dependencies GLOBAL PROPERTY CITYTWIN_EXPORT_DEPENDENCIES)
list(REMOVE_DUPLICATES citytwin_dependencies)
list(JOIN citytwin_dependencies "\n" CITYTWIN_FIND_DEPENDENCIES)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/citytwinConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/citytwinConfig.cmake
  INSTALL_DESTINATION ${CITYTWIN_PACKAGE_DIR})
# 0.x releases change their interfaces; a user asks for the minor version they built against.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/citytwinConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/citytwinConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/citytwinConfigVersion.cmake
  DESTINATION ${CITYTWIN_PACKAGE_DIR})
