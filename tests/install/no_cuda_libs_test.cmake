# cirrus starts on machines without CUDA: its NEEDED entries (readelf -d, else objdump -p) and,
# where ldd is present, the libraries they pull in name no CUDA runtime, cuBLAS, cuDNN, NCCL or
# other CUDA library.
#   cmake -DBINARY=<executable> [-DEXPECT=absent|present] -P no_cuda_libs_test.cmake
# EXPECT=present turns the check around (cirrus-calibrate must link them), to show the check
# sees CUDA libraries where they are. Prints "SKIP:" (the test's skip expression) when neither
# readelf nor objdump is installed.
cmake_minimum_required(VERSION 3.25)
if(NOT DEFINED BINARY OR NOT EXISTS "${BINARY}")
  message(FATAL_ERROR "no_cuda_libs_test.cmake needs -DBINARY=<an existing executable>")
endif()
if(NOT DEFINED EXPECT)
  set(EXPECT absent)
endif()

set(cuda_libs "lib(cuda|cudart|cublas|cublasLt|cudnn[a-z_]*|nccl|nvrtc|nvJitLink|cufft|curand|cusparse|cusolver|nvidia-ml)\\.so")

find_program(READELF readelf)
find_program(OBJDUMP objdump)
if(READELF)
  execute_process(COMMAND ${READELF} -d "${BINARY}" OUTPUT_VARIABLE dynamic RESULT_VARIABLE rc)
elseif(OBJDUMP)
  execute_process(COMMAND ${OBJDUMP} -p "${BINARY}" OUTPUT_VARIABLE dynamic RESULT_VARIABLE rc)
else()
  message("SKIP: neither readelf nor objdump is installed")
  return()
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cannot read the dynamic section of ${BINARY}")
endif()
string(REGEX MATCHALL "NEEDED[^\n]*" needed "${dynamic}")
set(found "")
foreach(line ${needed})
  if(line MATCHES "${cuda_libs}")
    list(APPEND found "${line}")
  endif()
endforeach()

# Libraries pulled in by the NEEDED ones, when ldd can say.
find_program(LDD ldd)
if(LDD AND EXPECT STREQUAL "absent")
  execute_process(COMMAND ${LDD} "${BINARY}" OUTPUT_VARIABLE loaded RESULT_VARIABLE rc
    ERROR_QUIET)
  if(rc EQUAL 0)
    string(REPLACE "\n" ";" loaded "${loaded}")
    foreach(line ${loaded})
      if(line MATCHES "${cuda_libs}")
        list(APPEND found "ldd: ${line}")
      endif()
    endforeach()
  endif()
endif()

list(LENGTH needed needed_count)
if(EXPECT STREQUAL "absent" AND found)
  string(REPLACE ";" "\n  " found "${found}")
  message(FATAL_ERROR "${BINARY} links CUDA libraries:\n  ${found}")
elseif(EXPECT STREQUAL "present" AND NOT found)
  message(FATAL_ERROR "${BINARY} links no CUDA library; NEEDED:\n${needed}")
endif()
message("${BINARY}: ${needed_count} NEEDED entries, CUDA libraries ${EXPECT}")
