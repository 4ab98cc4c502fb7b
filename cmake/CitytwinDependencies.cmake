# Every dependency comes from Debian 12 packages installed by tools/setup.sh.
find_package(Threads REQUIRED)
find_package(PROJ CONFIG REQUIRED)
find_package(GDAL CONFIG REQUIRED)
find_package(TBB CONFIG REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(BZip2 REQUIRED)
find_package(Eigen3 CONFIG REQUIRED)
find_package(tomlplusplus CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(pugixml CONFIG REQUIRED)
find_package(doctest CONFIG REQUIRED)
# What the installed libraries link, found again by citytwinConfig.cmake (CLI11, doctest and benchmark
# only build the command line and the tests).
citytwin_export_dependency(Threads)
citytwin_export_dependency(PROJ CONFIG)
citytwin_export_dependency(GDAL CONFIG)
citytwin_export_dependency(TBB CONFIG)
citytwin_export_dependency(SQLite3)
citytwin_export_dependency(BZip2)
citytwin_export_dependency(Eigen3 CONFIG)
citytwin_export_dependency(tomlplusplus CONFIG)
citytwin_export_dependency(nlohmann_json CONFIG)
citytwin_export_dependency(pugixml CONFIG)

# Debian 12 builds cpp-httplib as a library (httplib.h declares, libcpp-httplib defines) and ships no
# CMake package for it.
find_path(HTTPLIB_INCLUDE_DIR httplib.h REQUIRED)
find_library(HTTPLIB_LIBRARY cpp-httplib REQUIRED)
add_library(citytwin_httplib INTERFACE)
target_include_directories(citytwin_httplib SYSTEM INTERFACE ${HTTPLIB_INCLUDE_DIR})
target_link_libraries(citytwin_httplib INTERFACE ${HTTPLIB_LIBRARY})
# The options Debian built the library with (pkg-config cpp-httplib --cflags): they change the layout of its
# classes, so code that includes the header without them writes past the objects the library fills.
target_compile_definitions(citytwin_httplib INTERFACE
  CPPHTTPLIB_OPENSSL_SUPPORT CPPHTTPLIB_ZLIB_SUPPORT CPPHTTPLIB_BROTLI_SUPPORT)
add_library(httplib::httplib ALIAS citytwin_httplib)
# Installed with the package as the located files of this machine (Debian 12 paths), for the libraries
# that link it.
citytwin_install_target(citytwin_httplib EXPORT_NAME httplib)

# SuiteSparse KLU: sparse LU for power-flow Jacobians. Debian 12 ships no CMake package for it.
find_path(KLU_INCLUDE_DIR klu.h PATH_SUFFIXES suitesparse REQUIRED)
find_library(KLU_LIBRARY klu REQUIRED)
find_library(AMD_LIBRARY amd REQUIRED)
find_library(COLAMD_LIBRARY colamd REQUIRED)
find_library(BTF_LIBRARY btf REQUIRED)
find_library(SUITESPARSECONFIG_LIBRARY suitesparseconfig REQUIRED)
add_library(citytwin_klu INTERFACE)
target_include_directories(citytwin_klu SYSTEM INTERFACE ${KLU_INCLUDE_DIR})
target_link_libraries(citytwin_klu INTERFACE ${KLU_LIBRARY} ${AMD_LIBRARY} ${COLAMD_LIBRARY} ${BTF_LIBRARY}
                                             ${SUITESPARSECONFIG_LIBRARY})
add_library(SuiteSparse::KLU ALIAS citytwin_klu)
citytwin_install_target(citytwin_klu EXPORT_NAME klu)

if(CITYTWIN_BUILD_BENCHMARKS)
  find_package(benchmark CONFIG REQUIRED)
endif()

# libpq (libpq-dev): the live store on PostgreSQL (engine/postgres). Optional: without it that library is not
# built and `serve --store postgresql://` explains why.
find_path(LIBPQ_INCLUDE_DIR libpq-fe.h PATH_SUFFIXES postgresql)
find_library(LIBPQ_LIBRARY pq)
if(LIBPQ_INCLUDE_DIR AND LIBPQ_LIBRARY)
  add_library(citytwin_libpq INTERFACE)
  target_include_directories(citytwin_libpq SYSTEM INTERFACE ${LIBPQ_INCLUDE_DIR})
  target_link_libraries(citytwin_libpq INTERFACE ${LIBPQ_LIBRARY})
  add_library(PostgreSQL::libpq ALIAS citytwin_libpq)
  citytwin_install_target(citytwin_libpq EXPORT_NAME libpq)
endif()
