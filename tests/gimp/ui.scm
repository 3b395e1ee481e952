; evenlight — the GIMP side of tests/gimp/run-ui.sh (Script-Fu, full GUI).
;
; Copyright (C) 2026 the evenlight developers
; SPDX-License-Identifier: GPL-3.0-or-later
;
; Needs batch.scm. (el-ui DIR) opens DIR/ui-input.png in a window and
; runs the plug-in three times; run-ui.sh drives the dialogs with xdotool:
;  1. RUN-INTERACTIVE: the slider is moved, OK pressed   -> ui-after.png
;  2. RUN-INTERACTIVE again: meanwhile Edit ▸ Undo (ctrl+z) in the image
;     window, then the dialog is cancelled               -> ui-undone.png
;  3. RUN-WITH-LAST-VALS: the values chosen in 1          -> ui-last.png
(define (el-ui dir)
  (define (f name) (string-append dir "/" name))
  (define log (open-output-file (f "ui-cases.log")))
  (let* ((img (el-load (f "ui-input.png")))
         (drw (el-drawable img)))
    (gimp-display-new img)
    (gimp-displays-flush)
    (el-case log "apply"
      (lambda () (plug-in-evenlight RUN-INTERACTIVE img drw 0.8 0.6 0.5)))
    (el-save img drw (f "ui-after.png"))
    (el-case log "cancel"
      (lambda () (plug-in-evenlight RUN-INTERACTIVE img drw 0.8 0.6 0.5)))
    (el-save img drw (f "ui-undone.png"))
    (el-case log "last-vals"
      (lambda () (plug-in-evenlight RUN-WITH-LAST-VALS img drw 0 0 0)))
    (el-save img drw (f "ui-last.png")))
  (close-output-port log))
