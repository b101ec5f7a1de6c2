# An installed cirrus works after it is moved, and needs nothing of the source tree:
#   cmake -DBUILD_DIR=<build tree> -DSCENARIO=<shipped path of a plan scenario> -P relocate_test.cmake
# installs the build into a temporary prefix outside the source tree, moves that prefix, and runs
# the moved bin/cirrus from another folder with $CIRRUS_DATA_DIR and $CIRRUS_SOURCE_ROOT unset:
# --version, plan, simulate, catalog list, calibrate (forwarded or refused), then again without
# share/cirrus, where it must fail with one line saying what it looked for. Nothing here is
# configured: the script reads only its arguments, so it can be run by hand on any build.
cmake_minimum_required(VERSION 3.25)
foreach(var BUILD_DIR SCENARIO)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "relocate_test.cmake needs -D${var}=...")
  endif()
endforeach()

# A scratch folder under the system's temporary folder: no source tree above it, so the
# executable's walk up to a source tree finds nothing and only share/cirrus can serve.
execute_process(COMMAND mktemp -d -t cirrus-relocate-XXXXXX
  OUTPUT_VARIABLE work OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT IS_DIRECTORY "${work}")
  message(FATAL_ERROR "cannot make a scratch folder with mktemp -d")
endif()
file(REAL_PATH "${work}" work)
set(dir "${work}")
while(NOT dir STREQUAL "/")
  if(IS_DIRECTORY "${dir}/pricing/catalogs")
    message(FATAL_ERROR "the scratch folder ${work} lies in a cirrus tree (${dir}): set TMPDIR")
  endif()
  get_filename_component(dir "${dir}" DIRECTORY)
endwhile()

function(fail what)
  message(FATAL_ERROR "relocate: ${what}\n(scratch folder kept: ${work})")
endfunction()

set(staged "${work}/staged")
set(prefix "${work}/moved/cirrus-prefix")
set(cwd "${work}/elsewhere")
file(MAKE_DIRECTORY "${work}/moved" "${cwd}")

execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${staged}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  fail("cmake --install ${BUILD_DIR} failed (${rc}):\n${out}${err}")
endif()
file(RENAME "${staged}" "${prefix}")

set(share "${prefix}/share/cirrus")
foreach(f bin/cirrus share/cirrus/pricing/catalogs/aws.json
          share/cirrus/data/validation/residuals.json
          share/cirrus/calibrate/profiles/public/LICENSE-vidur
          share/cirrus/scenarios/default.json share/cirrus/${SCENARIO}
          share/cirrus/scenarios/examples/llama3-70b-h100.json
          share/cirrus/scenarios/regression/lambda-h100-llama3-8b.json
          share/doc/cirrus/LICENSE)
  if(NOT EXISTS "${prefix}/${f}")
    fail("the install has no ${f}")
  endif()
endforeach()
file(GLOB public_profiles "${share}/calibrate/profiles/public/*.json")
if(NOT public_profiles)
  fail("the install has no public profiles in share/cirrus/calibrate/profiles/public")
endif()
if(EXISTS "${share}/data/validation/dev")
  fail("the validation generator (data/validation/dev) was installed")
endif()

# Runs the moved cirrus from ${cwd} with the data variables unset; sets rc, out, err.
macro(run_cirrus)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env --unset=CIRRUS_DATA_DIR --unset=CIRRUS_SOURCE_ROOT
            CUDA_VISIBLE_DEVICES= "${prefix}/bin/cirrus" ${ARGN}
    WORKING_DIRECTORY "${cwd}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
endmacro()
function(expect status)
  run_cirrus(${ARGN})
  if(NOT rc STREQUAL "${status}")
    fail("cirrus ${ARGN}: exit ${rc}, expected ${status}\nstdout:\n${out}\nstderr:\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

expect(0 --version)
if(NOT out MATCHES "^cirrus [0-9]+\\.[0-9]+\\.[0-9]+\ncommit ([0-9a-f]+(-dirty)?|unknown)\n")
  fail("--version: unexpected first lines:\n${out}")
endif()
if(NOT out MATCHES "catalogs ${share}/pricing/catalogs\n  aws +20[0-9][0-9]-")
  fail("--version: the catalogs are not read from ${share}:\n${out}")
endif()

expect(0 plan "${share}/${SCENARIO}" --refine 0 -j 2)
if(NOT out MATCHES "BEST")
  fail("plan printed no best configuration:\n${out}")
endif()

# The public profile and the residuals come from share/cirrus too.
expect(0 simulate "${share}/scenarios/examples/llama3-70b-h100.json")
if(NOT out MATCHES "public profile" OR NOT out MATCHES "published")
  fail("simulate found no public profile or no error bars:\n${out}")
endif()
expect(0 catalog list)

if(EXISTS "${prefix}/bin/cirrus-calibrate")
  expect(2 calibrate --quick --out "${cwd}/never.json")
  if(NOT err MATCHES "no CUDA device")
    fail("calibrate was not forwarded to cirrus-calibrate:\n${err}")
  endif()
else()
  expect(2 calibrate --quick --out "${cwd}/never.json")
  if(NOT err MATCHES "cirrus-calibrate not found beside ${prefix}/bin/cirrus")
    fail("calibrate without cirrus-calibrate:\n${err}")
  endif()
endif()

# Without share/cirrus nothing else can serve: no compiled-in source path.
file(RENAME "${share}" "${share}.away")
file(COPY "${share}.away/${SCENARIO}" DESTINATION "${cwd}")
get_filename_component(scenario_name "${SCENARIO}" NAME)
expect(5 plan "${scenario_name}" --refine 0 -j 2)
string(REGEX MATCHALL "\n" lines "${err}")
list(LENGTH lines line_count)
if(NOT line_count EQUAL 1 OR NOT err MATCHES "^cirrus: cannot find cirrus's shipped data for"
   OR NOT err MATCHES "${share} has no pricing/catalogs")
  fail("plan without share/cirrus: expected one line naming what was looked for:\n${err}")
endif()
expect(0 --version)
if(NOT out MATCHES "catalogs none: cannot find cirrus's shipped data")
  fail("--version without share/cirrus:\n${out}")
endif()

file(REMOVE_RECURSE "${work}")
