; evenlight — the GIMP side of tests/gimp/run-fuse-ui.sh (Script-Fu, full
; GUI; needs batch.scm and fuse.scm).
;
; Copyright (C) 2026 the evenlight developers
; SPDX-License-Identifier: GPL-3.0-or-later
;
; (el-fuse-ui DIR) opens the bracket DIR/a0..a2.png as layers of one image
; in a window and runs the procedure twice; run-fuse-ui.sh drives the
; dialogs with xdotool:
;  1. RUN-INTERACTIVE: Denoise set, OK pressed     -> fuse-ui-after.png
;  2. RUN-INTERACTIVE again, cancelled             (the layers counted)
(define (el-fuse-ui dir)
  (define (f name) (string-append dir "/" name))
  (define log (open-output-file (f "ui-cases.log")))
  (let ((img (el-open-as-layers (list (f "a1.png") (f "a0.png") (f "a2.png")))))
    (gimp-display-new img)
    (gimp-displays-flush)
    (el-case log "apply"
      (lambda () (plug-in-evenlight-fuse RUN-INTERACTIVE img (el-top img) 0.5 1)))
    (el-info log "after-apply" (length (el-layers img)) (car (gimp-item-get-name (el-top img))))
    (el-save img (el-top img) (f "fuse-ui-after.png"))
    (el-case log "cancel"
      (lambda () (plug-in-evenlight-fuse RUN-INTERACTIVE img (el-top img) 0.5 1)))
    (el-info log "after-cancel" (length (el-layers img))))
  (close-output-port log))
