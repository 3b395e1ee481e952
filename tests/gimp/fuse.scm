; evenlight — the GIMP side of tests/gimp/run-fuse.sh (Script-Fu; needs
; batch.scm loaded first for el-case and el-load).
;
; Copyright (C) 2026 the evenlight developers
; SPDX-License-Identifier: GPL-3.0-or-later
;
; (el-fuse DIR BAD-DENOISE) puts brackets from DIR into images as File >
; Open as Layers does, runs plug-in-evenlight-fuse on them (and once with
; BAD-DENOISE, out of Denoise's range), exports the new layers and
; writes DIR/cases.log: "NAME ok", "NAME error MESSAGE" or "NAME info
; TEXT" lines.

; An image of the first file with the others added as layers on top.
(define (el-open-as-layers files)
  (let ((img (el-load (car files))))
    (for-each (lambda (path)
                (let ((layer (car (gimp-file-load-layer RUN-NONINTERACTIVE img path))))
                  (gimp-image-insert-layer img layer 0 -1)))
              (cdr files))
    img))

(define (el-layers img) (vector->list (cadr (gimp-image-get-layers img))))
(define (el-top img) (car (el-layers img)))

(define (el-info log name . items)
  (display name log)
  (display " info" log)
  (for-each (lambda (item) (display " " log) (display item log)) items)
  (newline log))

; Describes the top layer: name, size, offsets, and the number of layers.
(define (el-describe log name img)
  (let* ((top (el-top img))
         (off (gimp-drawable-offsets top)))
    (el-info log name (length (el-layers img))
             (car (gimp-drawable-width top)) (car (gimp-drawable-height top))
             (car off) (cadr off) (car (gimp-item-get-name top)))))

(define (el-fuse dir bad-denoise)
  (define (f name) (string-append dir "/" name))
  (define log (open-output-file (f "cases.log")))

  ; The aligned bracket, given in the order middle, dark, bright.
  (let ((img (el-open-as-layers (list (f "a1.png") (f "a0.png") (f "a2.png")))))
    (gimp-image-clean-all img)
    (el-case log "aligned"
      (lambda ()
        (plug-in-evenlight-fuse RUN-NONINTERACTIVE img (el-top img) 0.5 1)
        (el-describe log "aligned" img)
        (el-save img (el-top img) (f "gimp-aligned.png"))))
    (el-info log "aligned-dirty" (car (gimp-image-is-dirty img)))
    ; Refused values: the image is left as it was.
    (gimp-image-clean-all img)
    (el-case log "bad-denoise"
      (lambda () (plug-in-evenlight-fuse RUN-NONINTERACTIVE img (el-top img) bad-denoise 1)))
    (el-info log "bad-denoise-layers" (length (el-layers img))
             (car (gimp-image-is-dirty img)))
    (gimp-image-delete img))

  ; The moved bracket: aligned by the plug-in.
  (let ((img (el-open-as-layers (list (f "m0.png") (f "m1.png") (f "m2.png")))))
    (el-case log "moved"
      (lambda ()
        (plug-in-evenlight-fuse RUN-NONINTERACTIVE img (el-top img) 0.5 1)
        (el-describe log "moved" img)
        (el-save img (el-top img) (f "gimp-moved.png"))))
    (gimp-image-delete img))

  ; Layers with offsets: the rectangle they all cover.
  (let* ((img (el-open-as-layers (list (f "a1.png") (f "a0.png") (f "a2.png"))))
         (layers (el-layers img)))
    (gimp-layer-set-offsets (car layers) 20 10)
    (el-case log "offsets"
      (lambda ()
        (plug-in-evenlight-fuse RUN-NONINTERACTIVE img (el-top img) 0.5 0)
        (el-describe log "offsets" img)))
    (gimp-image-delete img))

  ; A hidden layer is not part of the bracket; one visible layer is refused.
  (let* ((img (el-open-as-layers (list (f "a1.png") (f "a0.png") (f "a2.png"))))
         (layers (el-layers img)))
    (gimp-item-set-visible (car layers) FALSE)
    (el-case log "hidden"
      (lambda ()
        (plug-in-evenlight-fuse RUN-NONINTERACTIVE img (cadr layers) 0.5 1)
        (el-describe log "hidden" img)))
    (gimp-item-set-visible (car (el-layers img)) FALSE)
    (gimp-item-set-visible (cadr (el-layers img)) FALSE)
    (gimp-item-set-visible (caddr (el-layers img)) FALSE)
    (el-case log "one-layer"
      (lambda ()
        (plug-in-evenlight-fuse RUN-NONINTERACTIVE img (cadr layers) 0.5 1)))
    (gimp-image-delete img))

  ; Indexed images are refused.
  (let ((img (el-open-as-layers (list (f "a1.png") (f "a0.png")))))
    (gimp-image-convert-indexed img CONVERT-DITHER-NONE CONVERT-PALETTE-GENERATE
                                255 FALSE FALSE "")
    (el-case log "indexed"
      (lambda () (plug-in-evenlight-fuse RUN-NONINTERACTIVE img (el-top img) 0.5 1)))
    (el-info log "indexed-layers" (length (el-layers img)))
    (gimp-image-delete img))

  (close-output-port log))
