# Renders the example explanation pages in headless Chromium and checks the result:
# a screenshot that is not blank, and a DOM that holds the key fields; then prints every
# applicant letter to PDF (A4, the page's own @page margins) and checks it is one page.
#   cmake -DPAGE_TOOL=... -DCHROMIUM=... -DPYTHON=... -DOUT_DIR=... -P check_html_render.cmake
file(REMOVE_RECURSE ${OUT_DIR})
file(MAKE_DIRECTORY ${OUT_DIR})
execute_process(COMMAND ${PAGE_TOOL} ${OUT_DIR} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "explain_html_page failed (${rc})")
endif()

set(_flags --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --hide-scrollbars)

# Page -> the strings its rendered DOM must contain.
set(_staff_expect "符合条件" "1100.00元" "豫民〔2022〕4号" "入户核查/审核说明" "普通摩托车" "人均月收入")
set(_applicant_expect "需要进一步核实" "郑民文〔2018〕66号" "尊敬的申请人 张伟" "公示期（7天）" "郑州市金水区经八路街道办事处" "0371-65550000" "李*")
set(_applicant_reject "李娜" "410105198708152345")

foreach(page staff applicant)
  set(html ${OUT_DIR}/${page}.html)
  set(png ${OUT_DIR}/${page}.png)
  execute_process(
    COMMAND ${CHROMIUM} ${_flags} --user-data-dir=${OUT_DIR}/profile-${page}-shot
            --screenshot=${png} --window-size=1240,1754 file://${html}
    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET TIMEOUT 180)
  if(NOT EXISTS ${png})
    message(FATAL_ERROR "${page}: chromium wrote no screenshot (${rc})")
  endif()
  file(SIZE ${png} size)
  # A blank 1240x1754 page compresses to a few kilobytes; a page of tables is far larger.
  if(size LESS 40000)
    message(FATAL_ERROR "${page}: screenshot is only ${size} bytes: blank page?")
  endif()
  if(PYTHON)
    execute_process(COMMAND ${PYTHON} ${CMAKE_CURRENT_LIST_DIR}/check_png.py ${png} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${page}: screenshot check failed")
    endif()
  endif()
  execute_process(
    COMMAND ${CHROMIUM} ${_flags} --user-data-dir=${OUT_DIR}/profile-${page}-dom --dump-dom file://${html}
    RESULT_VARIABLE rc OUTPUT_VARIABLE dom ERROR_QUIET TIMEOUT 180)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${page}: chromium --dump-dom failed (${rc})")
  endif()
  foreach(want IN LISTS _${page}_expect)
    string(FIND "${dom}" "${want}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${page}: rendered DOM lacks '${want}'")
    endif()
  endforeach()
  foreach(reject IN LISTS _${page}_reject)
    string(FIND "${dom}" "${reject}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${page}: rendered DOM shows '${reject}'")
    endif()
  endforeach()
  message(STATUS "${page}: ${size}-byte screenshot, DOM has the key fields")
endforeach()

# Applicant letters print on one A4 sheet: Chromium's PDF has "/Count 1" in its page tree.
file(GLOB _letters ${OUT_DIR}/letter-*.html ${OUT_DIR}/applicant.html)
list(LENGTH _letters _n)
if(_n LESS 9)
  message(FATAL_ERROR "expected at least 9 letters, found ${_n}")
endif()
foreach(html IN LISTS _letters)
  get_filename_component(name ${html} NAME_WE)
  set(pdf ${OUT_DIR}/${name}.pdf)
  execute_process(
    COMMAND ${CHROMIUM} ${_flags} --user-data-dir=${OUT_DIR}/profile-${name}-pdf --no-pdf-header-footer
            --print-to-pdf=${pdf} file://${html}
    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET TIMEOUT 180)
  if(NOT EXISTS ${pdf})
    message(FATAL_ERROR "${name}: chromium wrote no PDF (${rc})")
  endif()
  file(STRINGS ${pdf} counts REGEX "/Count [0-9]+")
  if(NOT counts)
    message(FATAL_ERROR "${name}: no page count in ${pdf}")
  endif()
  string(REGEX MATCH "/Count ([0-9]+)" _ "${counts}")
  if(NOT CMAKE_MATCH_1 EQUAL 1)
    message(FATAL_ERROR "${name}: the letter prints on ${CMAKE_MATCH_1} A4 pages, not one (${pdf})")
  endif()
  message(STATUS "${name}: one A4 page")
endforeach()
