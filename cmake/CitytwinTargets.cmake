# Helpers that give every citytwin target the same warnings, sanitizers and layout.

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

# citytwin_add_library(<name> SOURCES ... [PUBLIC_LINKS ...] [PRIVATE_LINKS ...])
# Creates citytwin_<name> with the alias citytwin::<name>; public headers live in include/.
function(citytwin_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_LINKS;PRIVATE_LINKS" ${ARGN})
  add_library(citytwin_${name} STATIC ${ARG_SOURCES})
  add_library(citytwin::${name} ALIAS citytwin_${name})
  target_include_directories(citytwin_${name}
    PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(citytwin_${name} PUBLIC ${ARG_PUBLIC_LINKS} PRIVATE ${ARG_PRIVATE_LINKS})
  citytwin_apply_build_flags(citytwin_${name})
endfunction()
