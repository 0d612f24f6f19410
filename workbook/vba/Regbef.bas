Attribute VB_Name = "Regbef"
' REGBEF ribbon and macros. Source of the VBA module built into REGBEF.xlam and the
' macro-enabled REGBEF workbook by `regbef-excel addin build` (see workbook/README.md).
' All logic is in Python (regbef_excel.excel.macros); this module only forwards calls.
Option Explicit

Private Const MACROS As String = "import regbef_excel.excel.macros as m; m."

' The one ribbon callback: every button of customUI14.xml/customUI.xml calls it.
Sub RegbefRibbon(control As IRibbonControl)
    RunPython MACROS & "ribbon('" & control.Id & "')"
End Sub

' The same actions for Alt+F8, buttons on sheets and Quick Access Toolbar.
Sub RegbefNew()
    RunPython MACROS & "ribbon('regbefNew')"
End Sub

Sub RegbefRun()
    RunPython MACROS & "ribbon('regbefRun')"
End Sub

Sub RegbefValidate()
    RunPython MACROS & "ribbon('regbefValidate')"
End Sub

Sub RegbefCompare()
    RunPython MACROS & "ribbon('regbefCompare')"
End Sub

Sub RegbefSsb()
    RunPython MACROS & "ribbon('regbefSsb')"
End Sub

Sub RegbefTemplates()
    RunPython MACROS & "ribbon('regbefTemplates')"
End Sub

Sub RegbefRegress()
    RunPython MACROS & "ribbon('regbefRegress')"
End Sub

Sub RegbefRegressTargets()
    RunPython MACROS & "ribbon('regbefRegressTargets')"
End Sub

Sub RegbefBacktest()
    RunPython MACROS & "ribbon('regbefBacktest')"
End Sub

Sub RegbefAbout()
    RunPython MACROS & "ribbon('regbefAbout')"
End Sub
