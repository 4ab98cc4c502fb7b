# Run by ctest (tests/install/CMakeLists.txt): cmake --install into WORK_DIR/prefix, then a scratch
# project that uses find_package(citytwin) is configured, built and run. WORK_DIR is removed on success.
cmake_minimum_required(VERSION 3.25)

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "install_package: ${what} failed (${result}):\n${output}")
  endif()
  set(step_output "${output}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/consumer)

run_step("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --config ${CONFIG})
foreach(installed bin/citytwin lib/cmake/citytwin/citytwinConfig.cmake
                  lib/cmake/citytwin/citytwinConfigVersion.cmake include/citytwin/core/error.hpp)
  if(NOT EXISTS ${prefix}/${installed})
    message(FATAL_ERROR "install_package: ${prefix}/${installed} was not installed")
  endif()
endforeach()

set(configure_arguments -S ${CONSUMER_SOURCE} -B ${consumer_build} -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=${CONFIG} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix})
if(CXX_LAUNCHER)
  list(APPEND configure_arguments -DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_LAUNCHER})
endif()
run_step("configuring the consumer" ${CMAKE_COMMAND} ${configure_arguments})
run_step("building the consumer" ${CMAKE_COMMAND} --build ${consumer_build})
run_step("running the consumer" ${consumer_build}/citytwin_consumer)
if(NOT step_output MATCHES "citytwin package works: EPSG:32632")
  message(FATAL_ERROR "install_package: unexpected output from the consumer:\n${step_output}")
endif()
message(STATUS "install_package: ${step_output}")
file(REMOVE_RECURSE ${WORK_DIR})
