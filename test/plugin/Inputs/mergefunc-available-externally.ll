; mergefunc skips declarations and available_externally bodies (their code
; is emitted elsewhere): it never merges them, so calls of two equal ones
; stay calls of two different functions.
declare i32 @ext(i32)

define available_externally i32 @inline_a(i32 %x) {
  %a = mul i32 %x, 3
  %b = call i32 @ext(i32 %a)
  ret i32 %b
}

define available_externally i32 @inline_b(i32 %x) {
  %a = mul i32 %x, 3
  %b = call i32 @ext(i32 %a)
  ret i32 %b
}

define i32 @call_a(i32 %x) {
  %a = call i32 @inline_a(i32 %x)
  %b = add i32 %a, 1
  ret i32 %b
}

define i32 @call_b(i32 %x) {
  %a = call i32 @inline_b(i32 %x)
  %b = add i32 %a, 1
  ret i32 %b
}

; The same bodies defined here are merged.
define i32 @defined_a(i32 %x) {
  %a = mul i32 %x, 3
  %b = call i32 @ext(i32 %a)
  ret i32 %b
}

define i32 @defined_b(i32 %x) {
  %a = mul i32 %x, 3
  %b = call i32 @ext(i32 %a)
  ret i32 %b
}
