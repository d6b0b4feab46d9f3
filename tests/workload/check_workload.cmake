# Runs heyan_workload and checks its output with the shared compare.py (WORKLOAD.md).
# Used by tests/workload/CMakeLists.txt:
#
#   cmake -DMODE=expected -DWORKLOAD=... -DPARAMS=... -DPYTHON=... -DCOMPARE=... -DOUT_DIR=...
#         -DNAME=... -DENGINE=heyan|handwritten [-DTHREADS=N] -DDATA=DIR -DEXPECTED=FILE
#         -P check_workload.cmake
#     DATA through ENGINE must equal EXPECTED record for record (compare.py) and byte for
#     byte (WORKLOAD.md fixes the field order and the compact format).
#
#   cmake -DMODE=agree ... -DNAME=... -DDATA=DIR [-DGEN=gen_households.py -DGEN_N=N -DGEN_SEED=S]
#         -P check_workload.cmake
#     Optionally generates DATA first, then requires the heyan engine's output to equal the
#     hand-written baseline's.
cmake_minimum_required(VERSION 3.22)

foreach(var MODE WORKLOAD PARAMS PYTHON COMPARE OUT_DIR NAME DATA)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_workload.cmake: -D${var}=... is required")
  endif()
endforeach()

# Runs a command; on failure stops the test with the command line and all of its output.
function(run_checked what)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmdline)
    message(FATAL_ERROR "${what} failed (exit ${rc}):\n  ${cmdline}\n${out}${err}")
  endif()
  string(STRIP "${out}" out)
  message(STATUS "${what}: ${out}")
endfunction()

function(run_workload engine out)
  set(cmd ${WORKLOAD} --data ${DATA} --params ${PARAMS} --out ${out} --engine ${engine})
  if(DEFINED THREADS)
    list(APPEND cmd --threads ${THREADS})
  endif()
  file(REMOVE ${out})  # a stale file must not pass for this run's output
  run_checked("heyan_workload --engine ${engine}" ${cmd})
endfunction()

if(MODE STREQUAL "expected")
  foreach(var ENGINE EXPECTED)
    if(NOT DEFINED ${var})
      message(FATAL_ERROR "check_workload.cmake: -D${var}=... is required for MODE=expected")
    endif()
  endforeach()
  set(out ${OUT_DIR}/${NAME}.jsonl)
  run_workload(${ENGINE} ${out})
  run_checked("compare.py" ${PYTHON} ${COMPARE} ${EXPECTED} ${out})
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${EXPECTED} ${out}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${out}: same records as ${EXPECTED} but not byte-identical "
                        "(field order or JSON formatting differs from WORKLOAD.md)")
  endif()
elseif(MODE STREQUAL "agree")
  if(DEFINED GEN)
    file(REMOVE_RECURSE ${DATA})
    file(MAKE_DIRECTORY ${DATA})
    run_checked("gen_households.py" ${PYTHON} ${GEN} --n ${GEN_N} --seed ${GEN_SEED}
                --params ${PARAMS} --out ${DATA}/households.jsonl)
  endif()
  set(baseline ${OUT_DIR}/${NAME}_handwritten.jsonl)
  set(heyan ${OUT_DIR}/${NAME}_heyan.jsonl)
  run_workload(handwritten ${baseline})
  run_workload(heyan ${heyan})
  run_checked("compare.py (heyan vs handwritten)" ${PYTHON} ${COMPARE} ${baseline} ${heyan})
else()
  message(FATAL_ERROR "check_workload.cmake: MODE must be expected or agree, not ${MODE}")
endif()
