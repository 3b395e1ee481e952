; evenlight — the GIMP side of tests/hostile/run-ui-close.sh (Script-Fu,
; full GUI).
;
; Copyright (C) 2026 the evenlight developers
; SPDX-License-Identifier: GPL-3.0-or-later
;
; Needs tests/gimp/batch.scm. (el-ui-close DIR) opens DIR/close-input.png
; in a window and runs the plug-in interactively; the shell script closes
; the dialog while the context is still being computed. Logs to
; DIR/close.log: "close ok|error ..." and "close-clean ok|error ...".
(define (el-ui-close dir)
  (define (f name) (string-append dir "/" name))
  (define log (open-output-file (f "close.log")))
  (let* ((img (el-load (f "close-input.png")))
         (drw (el-drawable img)))
    (gimp-display-new img)
    (gimp-displays-flush)
    (gimp-image-clean-all img)
    (el-case log "close"
      (lambda () (plug-in-evenlight RUN-INTERACTIVE img drw 0.8 0.6 0.5)))
    (el-log-line log (if (= (car (gimp-image-is-dirty img)) TRUE)
                         "close-clean error the image was modified"
                         "close-clean ok")))
  (close-output-port log))
