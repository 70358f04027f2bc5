# One INTERFACE target every Callboard library and program links: the language
# level, the warnings and Qt's compile-time safety switches live here only.
add_library(callboard_options INTERFACE)
add_library(Callboard::Options ALIAS callboard_options)

target_compile_features(callboard_options INTERFACE cxx_std_20)
target_compile_definitions(callboard_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_URL_CAST_FROM_STRING
    QT_USE_QSTRINGBUILDER
    QT_NO_FOREACH
    QT_NO_KEYWORDS
    QT_DISABLE_DEPRECATED_BEFORE=0x060400)
target_compile_options(callboard_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wcast-align
    -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
    $<$<BOOL:${CALLBOARD_WERROR}>:-Werror>)

option(CALLBOARD_WERROR "Treat warnings as errors" OFF)

# Fuzzing build (clang): every library is instrumented for libFuzzer, ASan and UBSan.
option(CALLBOARD_FUZZ "Build the libFuzzer targets (needs clang)" OFF)
if(CALLBOARD_FUZZ)
    target_compile_options(callboard_options INTERFACE
        -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined
        -fno-omit-frame-pointer -Wno-unknown-warning-option)
    target_link_options(callboard_options INTERFACE -fsanitize=address,undefined)
endif()

# Helper for the thin library targets of each layer.
function(callboard_add_library name)
    add_library(${name} STATIC ${ARGN})
    target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/..)
    target_link_libraries(${name} PUBLIC callboard_options)
endfunction()
