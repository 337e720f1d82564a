; Under the SemanticInterposition module flag (clang -fsemantic-interposition)
; a body that is not dso_local may be replaced at link time too
; (GlobalValue::isInterposable): the dso_local one is kept, the others become
; its thunks, and calls of them stay calls of different symbols.
define i32 @pre_a(i32 %x) {
  %a = mul i32 %x, 7
  ret i32 %a
}

define i32 @pre_b(i32 %x) {
  %a = mul i32 %x, 7
  ret i32 %a
}

define dso_local i32 @local_c(i32 %x) {
  %a = mul i32 %x, 7
  ret i32 %a
}

define dso_local i32 @call_pre_a(i32 %x) {
  %a = call i32 @pre_a(i32 %x)
  %b = add i32 %a, 1
  ret i32 %b
}

define dso_local i32 @call_pre_b(i32 %x) {
  %a = call i32 @pre_b(i32 %x)
  %b = add i32 %a, 1
  ret i32 %b
}

define dso_local i32 @call_local_c(i32 %x) {
  %a = call i32 @local_c(i32 %x)
  %b = add i32 %a, 1
  ret i32 %b
}

; Hidden implies dso_local.
define hidden i32 @hidden_d(i32 %x) {
  %a = mul i32 %x, 7
  ret i32 %a
}

define dso_local i32 @call_hidden_d(i32 %x) {
  %a = call i32 @hidden_d(i32 %x)
  %b = add i32 %a, 1
  ret i32 %b
}

!llvm.module.flags = !{!0}
!0 = !{i32 1, !"SemanticInterposition", i32 1}
