; evenlight — the GIMP side of tests/gimp/run-dark-ui.sh (Script-Fu, full
; GUI): the dialog of plug-in-evenlight-dark2 (the menu entry).
;
; Copyright (C) 2026 the evenlight developers
; SPDX-License-Identifier: GPL-3.0-or-later
;
; Needs batch.scm. (el-dark-ui DIR) first computes the non-interactive
; results the dialog must reproduce, then opens the dialogs that
; run-dark-ui.sh drives with xdotool, logging one line per case to
; DIR/dark-ui-cases.log:
;  batch-0, batch-1  RUN-NONINTERACTIVE on dark.png, dequantize 0 and 1
;                    (the old-style call, contrast at its default)
;                    -> batch-0.png, batch-1.png
;  batch-c2-1        plug-in-evenlight-dark2 on dark.png, dequantize 1,
;                    contrast 2                          -> batch-c2-1.png
;  batch-big-c05-0   the same on dark-big.png, dequantize 0, contrast 0.5
;                                                        -> batch-big-c05-0.png
;  apply             RUN-INTERACTIVE on dark.png: the preview is watched, the
;                    check box toggled off and on, Contrast set to 2, OK
;                                                          -> ui-after.png
;  early-ok          RUN-INTERACTIVE on dark-big.png: check box off, Contrast
;                    0.5 and OK while LAIC still runs      -> ui-big.png
;  close             RUN-INTERACTIVE on dark-big.png, closed (Escape) while
;                    LAIC runs; close-clean: the image is not dirty
(define (el-dark-ui dir)
  (define (f name) (string-append dir "/" name))
  (define log (open-output-file (f "dark-ui-cases.log")))
  (define (batch in out dq)
    (let* ((img (el-load in))
           (drw (el-drawable img)))
      (plug-in-evenlight-dark RUN-NONINTERACTIVE img drw dq)
      (el-save img drw out)
      (gimp-image-delete img)))
  (define (batch2 in out dq contrast)
    (let* ((img (el-load in))
           (drw (el-drawable img)))
      (plug-in-evenlight-dark2 RUN-NONINTERACTIVE img drw dq contrast)
      (el-save img drw out)
      (gimp-image-delete img)))
  (define (interactive name in out)
    (let* ((img (el-load in))
           (drw (el-drawable img)))
      (gimp-display-new img)
      (gimp-displays-flush)
      (gimp-image-clean-all img)
      (el-case log name
        (lambda () (plug-in-evenlight-dark2 RUN-INTERACTIVE img drw 1 1.0)))
      (if out
          (el-save img drw out)
          (begin
            (display (if (= (car (gimp-image-is-dirty img)) TRUE)
                         (string-append name "-clean error the image was modified")
                         (string-append name "-clean ok"))
                     log)
            (newline log)))))
  (el-case log "batch-0" (lambda () (batch (f "dark.png") (f "batch-0.png") 0)))
  (el-case log "batch-1" (lambda () (batch (f "dark.png") (f "batch-1.png") 1)))
  (el-case log "batch-c2-1"
    (lambda () (batch2 (f "dark.png") (f "batch-c2-1.png") 1 2.0)))
  (el-case log "batch-big-c05-0"
    (lambda () (batch2 (f "dark-big.png") (f "batch-big-c05-0.png") 0 0.5)))
  (interactive "apply" (f "dark.png") (f "ui-after.png"))
  (interactive "early-ok" (f "dark-big.png") (f "ui-big.png"))
  (interactive "close" (f "dark-big.png") #f)
  (close-output-port log))
