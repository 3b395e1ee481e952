; evenlight — the GIMP side of tests/gimp/run-batch.sh (Script-Fu).
;
; Copyright (C) 2026 the evenlight developers
; SPDX-License-Identifier: GPL-3.0-or-later
;
; (el-batch DIR S H D BAD-S BAD-D) runs every case on the images in DIR
; with the slider values S H D (BAD-S and BAD-D: Shadows and Denoise values
; just outside their ranges, for the refused calls), exports the results
; into DIR and writes one line per case to DIR/cases.log: "NAME ok" or
; "NAME error MESSAGE". The shell script compares the exported files with
; the CLI's output.

; Runs (thunk); returns (ok . value) or (error . message) instead of
; aborting the whole batch on the first failing PDB call.
(define (el-try thunk)
  (call-with-current-continuation
    (lambda (return)
      (let ((old-hook *error-hook*))
        (set! *error-hook*
              (lambda args
                (set! *error-hook* old-hook)
                (return (cons 'error args))))
        (let ((value (thunk)))
          (set! *error-hook* old-hook)
          (cons 'ok value))))))

(define (el-load path)
  (car (gimp-file-load RUN-NONINTERACTIVE path path)))

(define (el-drawable img)
  (car (gimp-image-get-active-drawable img)))

; Exports DRW alone (a layer keeps its own size) in the format the file
; name says, at the image's precision.
(define (el-save img drw path)
  (gimp-file-save RUN-NONINTERACTIVE img drw path path))

(define (el-case log name thunk)
  (let ((result (el-try thunk)))
    (display name log)
    (if (eq? (car result) 'ok)
        (display " ok" log)
        (begin
          (display " error " log)
          (for-each (lambda (item) (display item log) (display " " log))
                    (cdr result))))
    (newline log)))

; Loads IN, runs the plug-in on its active layer, exports to OUT.
(define (el-apply in out s h d)
  (let* ((img (el-load in))
         (drw (el-drawable img)))
    (plug-in-evenlight RUN-NONINTERACTIVE img drw s h d)
    (el-save img drw out)
    (gimp-image-delete img)))

;  Each plug-in process (loader, exporter, Even Light) costs about a
; second to start, so the RGB input is loaded once and duplicated.
(define (el-batch dir s h d bad-s bad-d)
  (define (f name) (string-append dir "/" name))
  (define log (open-output-file (f "cases.log")))
  (define base (el-load (f "rgb8.png")))
  (define base-drw (el-drawable base))
  (define (copy) (car (gimp-image-duplicate base)))

  ; Out-of-range values: a calling error, the image stays clean (not even
  ; an empty undo step). An imported image counts as dirty until cleaned.
  (gimp-image-clean-all base)
  (el-case log "invalid-shadows"
    (lambda () (plug-in-evenlight RUN-NONINTERACTIVE base base-drw bad-s h d)))
  (el-case log "invalid-denoise"
    (lambda () (plug-in-evenlight RUN-NONINTERACTIVE base base-drw s h bad-d)))
  (display (if (= (car (gimp-image-is-dirty base)) TRUE)
               "invalid-clean error the image was modified by a refused call"
               "invalid-clean ok")
           log)
  (newline log)

  ; A rectangular selection: only its inside may change.
  (let* ((img (copy))
         (drw (el-drawable img)))
    (el-case log "selection"
      (lambda ()
        (gimp-image-select-rectangle img CHANNEL-OP-REPLACE 40 30 150 100)
        (plug-in-evenlight RUN-NONINTERACTIVE img drw s h d)
        (el-save img drw (f "gimp-selection.png"))))
    (gimp-image-delete img))

  ; A layer smaller than the canvas, with offsets, over a background.
  (el-case log "offsets"
    (lambda ()
      (let* ((img (car (gimp-image-new 480 360 RGB)))
             (bg (car (gimp-layer-new img 480 360 RGB-IMAGE "bg" 100
                                      LAYER-MODE-NORMAL)))
             (layer (car (gimp-layer-new-from-drawable base-drw img))))
        (gimp-image-insert-layer img bg 0 0)
        (gimp-drawable-fill bg FILL-WHITE)
        (gimp-image-insert-layer img layer 0 -1)
        (gimp-layer-set-offsets layer 60 45)
        (plug-in-evenlight RUN-NONINTERACTIVE img layer s h d)
        (el-save img layer (f "gimp-offsets.png"))
        (gimp-image-delete img))))

  ; No values were stored by an interactive run: the defaults are used.
  (let* ((img (copy))
         (drw (el-drawable img)))
    (el-case log "last-vals"
      (lambda ()
        (plug-in-evenlight RUN-WITH-LAST-VALS img drw 0 0 0)
        (el-save img drw (f "gimp-last-vals.png"))))
    (gimp-image-delete img))

  ; Drawables the plug-in must refuse with a clear message.
  (let* ((img (copy))
         (drw (el-drawable img)))
    (gimp-image-convert-indexed img CONVERT-DITHER-NONE
                                CONVERT-PALETTE-GENERATE 255 FALSE FALSE "")
    (el-case log "indexed"
      (lambda () (plug-in-evenlight RUN-NONINTERACTIVE img drw s h d)))
    (gimp-image-delete img))
  (let* ((img (copy))
         (group (car (gimp-layer-group-new img))))
    (gimp-image-insert-layer img group 0 0)
    (el-case log "group"
      (lambda () (plug-in-evenlight RUN-NONINTERACTIVE img group s h d)))
    (gimp-image-delete img))

  (let* ((img (copy))
         (channel (car (gimp-channel-new img 333 251 "mask" 50 '(0 0 0)))))
    (gimp-image-insert-channel img channel 0 0)
    (el-case log "channel"
      (lambda () (plug-in-evenlight RUN-NONINTERACTIVE img channel s h d)))
    (gimp-image-delete img))

  ; Every image type and precision against the CLI.
  (el-case log "rgb8"
    (lambda ()
      (plug-in-evenlight RUN-NONINTERACTIVE base base-drw s h d)
      (el-save base base-drw (f "gimp-rgb8.png"))))
  (gimp-image-delete base)
  (el-case log "rgba8" (lambda () (el-apply (f "rgba8.png") (f "gimp-rgba8.png") s h d)))
  (el-case log "rgb16" (lambda () (el-apply (f "rgb16.png") (f "gimp-rgb16.png") s h d)))
  (el-case log "rgbf"  (lambda () (el-apply (f "rgbf.tif")  (f "gimp-rgbf.tif")  s h d)))
  (el-case log "gray8" (lambda () (el-apply (f "gray8.png") (f "gimp-gray8.png") s h d)))

  (close-output-port log))
