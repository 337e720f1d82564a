; Rules that only change how mergefunc merges, never whether: musttail calls
; in the bodies, comdats (copied to the thunk), swifttailcc (the thunk's call
; is musttail), and aliases instead of thunks (-mergefunc-use-aliases, for
; unnamed_addr functions).
$group_a = comdat any
$group_b = comdat any

declare void @sink(ptr)
declare swifttailcc void @swift_sink(ptr)

define void @forward_a(ptr %p) {
  musttail call void @sink(ptr %p)
  ret void
}

define void @forward_b(ptr %p) {
  musttail call void @sink(ptr %p)
  ret void
}

define void @in_group_a(ptr %p) comdat($group_a) {
  store i32 1, ptr %p, align 4
  ret void
}

define void @in_group_b(ptr %p) comdat($group_b) {
  store i32 1, ptr %p, align 4
  ret void
}

define swifttailcc void @swift_a(ptr %p) {
  store i32 2, ptr %p, align 4
  musttail call swifttailcc void @swift_sink(ptr %p)
  ret void
}

define swifttailcc void @swift_b(ptr %p) {
  store i32 2, ptr %p, align 4
  musttail call swifttailcc void @swift_sink(ptr %p)
  ret void
}

define void @alias_a(ptr %p) unnamed_addr {
  store i32 3, ptr %p, align 4
  store i32 3, ptr %p, align 4
  ret void
}

define void @alias_b(ptr %p) unnamed_addr {
  store i32 3, ptr %p, align 4
  store i32 3, ptr %p, align 4
  ret void
}
