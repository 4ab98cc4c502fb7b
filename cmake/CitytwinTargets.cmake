# Helpers that give every citytwin target the same warnings, sanitizers and layout, and put every library
# into the installed package (cmake/CitytwinPackage.cmake).
include(GNUInstallDirs)

function(citytwin_apply_build_flags target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(CITYTWIN_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(CITYTWIN_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    # GCC's -Wmaybe-uninitialized reports false positives inside libstdc++ (std::regex, std::function)
    # once the sanitizers' instrumentation changes inlining; the release build keeps the warning.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
    endif()
  endif()
endfunction()

# citytwin_install_target(<target> [EXPORT_NAME <name>] [HEADERS <include dir>])
# Installs a library target into the export set citytwinTargets, so find_package(citytwin) gives
# citytwin::<name>, and copies its public headers (the contents of <include dir>) under include/.
function(citytwin_install_target target)
  cmake_parse_arguments(ARG "" "EXPORT_NAME;HEADERS" "" ${ARGN})
  if(ARG_EXPORT_NAME)
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${ARG_EXPORT_NAME})
  endif()
  install(TARGETS ${target} EXPORT citytwinTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  if(ARG_HEADERS AND IS_DIRECTORY ${ARG_HEADERS})
    install(DIRECTORY ${ARG_HEADERS}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  endif()
endfunction()

# citytwin_export_dependency(<find_package arguments>)
# Notes a package whose targets an installed library links (publicly, or privately: a static library's
# private links are its users' link-time dependencies); citytwinConfig.cmake finds each with
# find_dependency before it loads the targets.
function(citytwin_export_dependency)
  string(JOIN " " arguments ${ARGN})
  set_property(GLOBAL APPEND PROPERTY CITYTWIN_EXPORT_DEPENDENCIES "find_dependency(${arguments})")
endfunction()

# citytwin_add_library(<name> SOURCES ... [PUBLIC_LINKS ...] [PRIVATE_LINKS ...])
# Creates citytwin_<name> with the alias citytwin::<name>; public headers live in include/. Libraries are
# static and position-independent, so a shared module (a Python binding) can link them; each is installed
# with its headers as citytwin::<name>.
function(citytwin_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_LINKS;PRIVATE_LINKS" ${ARGN})
  add_library(citytwin_${name} STATIC ${ARG_SOURCES})
  add_library(citytwin::${name} ALIAS citytwin_${name})
  set_target_properties(citytwin_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_include_directories(citytwin_${name}
    PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(citytwin_${name} PUBLIC ${ARG_PUBLIC_LINKS} PRIVATE ${ARG_PRIVATE_LINKS})
  citytwin_apply_build_flags(citytwin_${name})
  citytwin_install_target(citytwin_${name} EXPORT_NAME ${name} HEADERS ${CMAKE_CURRENT_SOURCE_DIR}/include)
endfunction()
