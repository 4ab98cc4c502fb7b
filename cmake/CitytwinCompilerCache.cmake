# Compiles through ccache when it is installed and no launcher was chosen (-DCMAKE_<LANG>_COMPILER_LAUNCHER
# or the environment variable of that name). The cache stays in ccache's default folder, outside the
# checkout; tools/build.sh sets CCACHE_BASEDIR to the checkout and CCACHE_NOHASHDIR=1, so clones in other
# folders share hits.
find_program(CITYTWIN_CCACHE ccache)
mark_as_advanced(CITYTWIN_CCACHE)
if(CITYTWIN_CCACHE)
  foreach(language C CXX)
    if(NOT CMAKE_${language}_COMPILER_LAUNCHER AND NOT DEFINED ENV{CMAKE_${language}_COMPILER_LAUNCHER})
      set(CMAKE_${language}_COMPILER_LAUNCHER ${CITYTWIN_CCACHE})
    endif()
  endforeach()
endif()

# With the build folder's own path left out of the hash (CCACHE_NOHASHDIR), a cached object could carry
# another clone's absolute paths in its debug information; mapping the checkout to "." keeps them
# relative, so they are right in every clone. Only builds with debug information need it.
if(CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache")
  add_compile_options("$<$<CONFIG:RelWithDebInfo,Debug>:-fdebug-prefix-map=${CMAKE_SOURCE_DIR}=.>")
endif()
