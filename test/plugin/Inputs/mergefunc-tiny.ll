; mergefunc makes no thunk for a body of one block and one instruction
; (canCreateThunkFor): it keeps such a body unless it can delete it, which
; needs every use gone and a local or linkonce linkage. It still redirects
; the calls of the one it does not keep, so callers are merged. Of two equal
; functions LLVM 19 keeps the one that cannot be replaced at link time, then
; the external one, then the first by name (isFuncOrderCorrect).

; Kept: the first by name.
define void @a() {
  ret void
}

; External: kept, but its calls go to @a.
define void @b() {
  ret void
}

; Internal and only called: deleted, its calls go to @a.
define internal void @c() {
  ret void
}

; Internal but its address is taken (no unnamed_addr): kept.
define internal void @d() {
  ret void
}

@d_address = global ptr @d

; linkonce_odr and only called: deleted, merged into @a.
define linkonce_odr void @odr() {
  ret void
}

; Both weak: mergefunc would make both thunks of a shared copy, and makes
; neither for one instruction.
define weak void @weak_a() {
  ret void
}

define weak void @weak_b() {
  ret void
}

; Thunkability is asked of the body kept: with an unreachable block a body
; is two blocks, so a thunk is made, even of the one-block body that joins
; them later by name.
define i32 @two_blocks_a() {
entry:
  ret i32 0
dead:
  ret i32 1
}

define i32 @two_blocks_b() {
entry:
  ret i32 0
dead:
  ret i32 1
}

define i32 @z_one_block() {
  ret i32 0
}

; Their calls all end at @a: merged.
define void @call_b_c() {
  call void @b()
  call void @c()
  ret void
}

define void @call_a_odr() {
  call void @a()
  call void @odr()
  ret void
}

; Calls of weak bodies stay calls of two functions.
define void @call_weak_a() {
  call void @weak_a()
  call void @weak_a()
  ret void
}

define void @call_weak_b() {
  call void @weak_b()
  call void @weak_b()
  ret void
}
