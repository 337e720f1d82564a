; A body that may be replaced at link time (weak, linkonce) is never the
; target of another's calls. Two such equal bodies become thunks of one
; shared copy, and their callers stay apart (they call two symbols). A strong
; body is kept over a weak one, which becomes its thunk.
define weak i32 @weak_a(i32 %x) {
  %a = mul i32 %x, 7
  ret i32 %a
}

define weak i32 @weak_b(i32 %x) {
  %a = mul i32 %x, 7
  ret i32 %a
}

define linkonce i32 @weak_c(i32 %x) {
  %a = mul i32 %x, 7
  ret i32 %a
}

define i32 @call_weak_a(i32 %x) {
  %a = call i32 @weak_a(i32 %x)
  %b = add i32 %a, 1
  ret i32 %b
}

define i32 @call_weak_b(i32 %x) {
  %a = call i32 @weak_b(i32 %x)
  %b = add i32 %a, 1
  ret i32 %b
}

define weak i32 @weak_d(i32 %x) {
  %a = mul i32 %x, 9
  ret i32 %a
}

define i32 @strong_d(i32 %x) {
  %a = mul i32 %x, 9
  ret i32 %a
}
